package io.grpcmqtt.internal;

import com.google.common.primitives.Longs;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.Grpc;
import io.grpc.InternalChannelz.SocketStats;
import io.grpc.InternalLogId;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import io.grpc.internal.ClientStream;
import io.grpc.internal.ClientStreamListener.RpcProgress;
import io.grpc.internal.ConnectionClientTransport;
import io.grpc.internal.FailingClientStream;
import io.grpc.internal.GrpcAttributes;
import io.grpc.internal.ManagedClientTransport;
import io.grpc.internal.SimpleDisconnectError;
import io.grpc.internal.StatsTraceContext;
import io.grpcmqtt.mqtt.MqttMessage;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection of a channel. All calls share it and its single reply subscription; replies
 * find their call by correlation data. When the connection drops, the transport ends and gRPC's
 * channel makes a new one with backoff.
 */
final class MqttClientTransport implements ConnectionClientTransport {
  private static final Logger log = LoggerFactory.getLogger(MqttClientTransport.class);

  private final ConnectionConfig config;
  private final Topics topics;
  private final ClientRoutes routes;
  private final String replyTopic;
  /** Where every call of this channel tells servers it cancelled; made once, not per call. */
  private final String cancelTopic;
  private final InternalLogId logId;
  private final ConcurrentHashMap<Long, MqttClientStream> streams = new ConcurrentHashMap<>();
  private final AtomicLong nextCallId = new AtomicLong(new SecureRandom().nextLong());
  private final RateLimitedLog strayReplies = new RateLimitedLog(log, 10_000);
  private final ServerDirectory servers = new ServerDirectory();
  private final ReassemblyBudget reassembly;
  /** {@link #newAssembler} as one object for every stream, which asks on its first chunk. */
  final Function<Runnable, ChunkAssembler> assemblers = this::newAssembler;
  /** How long after subscribing to the server statuses their retained messages may still come. */
  private static final long STATUS_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private volatile long statusesSubscribedNanos;
  private final Attributes attributes;
  private final RuntimeExecutors.Lease executors;
  private final TransportLifecycle lifecycle;

  private volatile TransportConnection connection;
  private ManagedClientTransport.Listener listener;

  private volatile boolean ready;

  /** Why the transport takes no more calls; set once, before it stops accepting them. */
  @Nullable private volatile Status shutdownStatus;

  /** @param executors the channel's lease, held until after this transport terminated */
  MqttClientTransport(
      ConnectionConfig config, Attributes eagAttributes, RuntimeExecutors.Lease executors) {
    this.config = config;
    this.executors = executors;
    this.topics = new Topics(config.topicPrefix());
    this.routes = new ClientRoutes(topics, config.templateTopics());
    this.replyTopic = topics.reply(config.clientId());
    this.cancelTopic = topics.cancel();
    this.logId = InternalLogId.allocate(getClass(), config.brokerUriString());
    this.reassembly = ReassemblyBudget.forMessageSize(config.maxMessageSize());
    BrokerAddress address = new BrokerAddress(config.brokerUriString());
    this.attributes =
        Attributes.newBuilder()
            .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, address)
            // No socket joins a channel to a server: both ends' addresses are the broker's.
            .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, address)
            .set(
                GrpcAttributes.ATTR_SECURITY_LEVEL,
                config.isTls() ? SecurityLevel.PRIVACY_AND_INTEGRITY : SecurityLevel.NONE)
            .set(GrpcAttributes.ATTR_CLIENT_EAG_ATTRS, eagAttributes)
            .build();
    this.lifecycle = new TransportLifecycle(
        executors, config.clientId(), topics.clientStatus(config.clientId()), false,
        new PublishProperties(),
        () -> {},
        () -> {
          log.info("channel connection '{}' to {} closed", config.clientId(),
              config.brokerUriString());
          listener.transportTerminated();
        });
  }

  @Override
  public Runnable start(ManagedClientTransport.Listener listener) {
    this.listener = listener;
    // Connecting waits for the broker, which gRPC's channel must not.
    executors.runBlocking("connect " + config.clientId(), this::connect);
    return null;
  }

  private void connect() {
    TransportConnection opened;
    try {
      opened = TransportConnection.open(
          config, topics.clientStatus(config.clientId()), Topics.OFFLINE, false, false,
          this::connectionLost, () -> {});
    } catch (IOException | RuntimeException e) {
      failStart(e);
      return;
    }
    connection = opened;
    if (!lifecycle.connected(opened)) {
      return; // shut down while connecting: closed there
    }
    try {
      opened.subscribe(replyTopic, config.qos(), this::replyArrived);
      opened.subscribe(topics.serverStatusFilter(), 1, this::serverStatusArrived);
    } catch (IOException | RuntimeException e) {
      failStart(e);
      return;
    }
    statusesSubscribedNanos = System.nanoTime();
    becomeReady();
  }

  private void failStart(Throwable cause) {
    Status status =
        Status.UNAVAILABLE
            .withDescription(cause instanceof IOException
                ? cause.getMessage()
                : "cannot connect to MQTT broker " + config.brokerUriString() + ": " + cause)
            .withCause(cause);
    log.warn("{}", status.getDescription());
    shutdownNow(status);
  }

  private void becomeReady() {
    if (shutdownStatus != null) {
      return;
    }
    ready = true;
    log.info(
        "channel connected to {} as '{}', replies on '{}'",
        config.brokerUriString(), config.clientId(), replyTopic);
    connection.publish(
        topics.clientStatus(config.clientId()),
        Topics.ONLINE.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        1, false, new PublishProperties(), TransportConnection.IGNORE);
    listener.transportReady();
  }

  @Override
  public ClientStream newStream(
      MethodDescriptor<?, ?> method,
      Metadata headers,
      CallOptions callOptions,
      ClientStreamTracer[] tracers) {
    StatsTraceContext stats = StatsTraceContext.newClientContext(tracers, attributes, headers);
    Status refused = shutdownStatus;
    if (refused != null) {
      return new FailingClientStream(refused, RpcProgress.PROCESSED, tracers);
    }
    Integer maxOut = callOptions.getMaxOutboundMessageSize();
    long callId = nextCallId.getAndIncrement();
    int qos = routes.qos(method, config.qos());
    StreamPublisher publisher = new StreamPublisher(
        connection, qos, null, replyTopic, correlation(callId), null, cancelTopic);
    MqttClientStream stream =
        new MqttClientStream(
            this,
            method,
            headers,
            stats,
            callId,
            routes,
            publisher,
            config.flowControlWindow(),
            config.maxMessageSize());
    if (maxOut != null) {
      stream.setMaxOutboundMessageSize(maxOut);
    }
    return stream;
  }

  /** The call's Correlation Data: its id as 8 big-endian bytes (without a ByteBuffer per call). */
  static byte[] correlation(long callId) {
    return Longs.toByteArray(callId);
  }

  /** The call id that {@link #correlation} encoded in these 8 bytes. */
  static long callIdOf(byte[] correlation) {
    return Longs.fromByteArray(correlation);
  }

  /** Adds a started stream; returns the reason when the transport no longer takes calls. */
  @Nullable
  Status register(MqttClientStream stream) {
    int open = lifecycle.admit(() -> streams.put(stream.callId(), stream));
    if (open == 0) {
      Status refused = shutdownStatus;
      return refused != null ? refused : Status.UNAVAILABLE.withDescription("transport closed");
    }
    if (open == 1) {
      listener.transportInUse(true);
    }
    return null;
  }

  void unregister(MqttClientStream stream) {
    if (streams.remove(stream.callId(), stream)) {
      lifecycle.callEnded(() -> listener.transportInUse(false));
    }
  }

  /**
   * Tells {@code fail} why a request to {@code topic} reached no subscriber: UNIMPLEMENTED when
   * the online servers all listed their services and none hosts the method's, UNAVAILABLE
   * otherwise. Paho hands a PUBACK over before messages that arrived ahead of it, so within a
   * second of subscribing to the server statuses, whose retained messages come right after the
   * subscription, an UNAVAILABLE is looked at again a few times before it is final.
   */
  void noSubscriber(MethodDescriptor<?, ?> method, String topic, Consumer<Status> fail) {
    noSubscriber(method, topic, fail, TimeUnit.MILLISECONDS.toNanos(10));
  }

  private void noSubscriber(
      MethodDescriptor<?, ?> method, String topic, Consumer<Status> fail, long delayNanos) {
    Status status = noSubscriberStatus(method, topic);
    long graceLeft = statusesSubscribedNanos + STATUS_GRACE_NANOS - System.nanoTime();
    if (status.getCode() == Status.Code.UNIMPLEMENTED || graceLeft <= 0) {
      fail.accept(status);
      return;
    }
    executors.schedule(
        () -> noSubscriber(method, topic, fail, delayNanos * 2),
        Math.min(delayNanos, graceLeft), TimeUnit.NANOSECONDS);
  }

  private Status noSubscriberStatus(MethodDescriptor<?, ?> method, String topic) {
    String service = method.getServiceName();
    if (service != null && servers.knownNotHosted(service)) {
      return Status.UNIMPLEMENTED.withDescription(
          "Method not found: " + method.getFullMethodName() + " (no online server hosts "
              + service + ")");
    }
    return Status.UNAVAILABLE.withDescription(
        "no server is subscribed to '" + topic + "' (PUBACK 0x10 no matching subscribers)");
  }

  String brokerUri() {
    return config.brokerUriString();
  }

  /** Reassembles one call's chunked replies within this connection's budget. */
  ChunkAssembler newAssembler(Runnable check) {
    return new ChunkAssembler(
        reassembly, "response", MqttClientStream::tooLarge, config.reassemblyTimeout().toNanos(),
        check, executors);
  }

  // --- the connection's delivery thread, one handler per subscription ---

  /** What arrives on the reply topic: a frame of one of this channel's calls. */
  private void replyArrived(MqttMessage message) {
    Frame frame = Frame.decode(message);
    if (Wire.CTL_PROBE.equals(frame.control)) {
      return; // a server checking that this reply topic still has a subscriber
    }
    MqttClientStream stream = null;
    if (frame.correlation != null && frame.correlation.length == 8) {
      stream = streams.get(callIdOf(frame.correlation));
    }
    if (stream != null) {
      stream.inbound(frame);
    } else {
      // Late replies of cancelled or timed-out calls land here; they are harmless.
      log.debug("reply for no active call on {}", replyTopic);
    }
  }

  /** A server's "online" (with its services) or "offline" (retained, or its will). */
  private void serverStatusArrived(MqttMessage message) {
    String topic = message.topic();
    String server = topics.serverOfStatus(topic);
    if (server == null) {
      strayReplies.warn("message on unexpected topic '{}' ignored", topic);
      return;
    }
    byte[] payload = message.payload();
    servers.update(server, payload, message.userProperties());
    if (Topics.OFFLINE.equals(new String(payload, java.nio.charset.StandardCharsets.UTF_8))) {
      Status gone =
          Status.UNAVAILABLE.withDescription(
              "server '" + server + "' went offline while serving this call");
      // A retained "offline" is what a server left behind long ago, delivered on subscribing; one
      // from an orderly stop comes after the server ended all its calls. Only a will, published
      // as it happens, may have taken unary calls with it.
      boolean justNow = !message.retain() && !Wire.isOrderlyStop(message.userProperties());
      int resent = 0;
      for (MqttClientStream stream : new ArrayList<>(streams.values())) {
        if (server.equals(stream.serverId())) {
          stream.fail(gone);
        } else if (justNow && stream.resendAfterServerLoss()) {
          resent++;
        }
      }
      if (resent > 0) {
        log.info("server '{}' went offline: re-sent {} unanswered call(s) of idempotent methods",
            server, resent);
      }
    }
  }

  private void connectionLost(Throwable cause) {
    Status status =
        Status.UNAVAILABLE
            .withDescription(
                "connection to MQTT broker " + config.brokerUriString() + " lost: "
                    + cause.getMessage())
            .withCause(cause);
    log.warn("{}", status.getDescription());
    shutdownNow(status);
  }

  // --- lifecycle ---

  @Override
  public void shutdown(Status reason) {
    if (!lifecycle.shutdown()) {
      return;
    }
    shutdownStatus = reason;
    int open = lifecycle.stopAccepting();
    listener.transportShutdown(reason, SimpleDisconnectError.UNKNOWN);
    if (open == 0) {
      lifecycle.terminate();
    }
  }

  @Override
  public void shutdownNow(Status reason) {
    shutdown(reason);
    for (MqttClientStream stream : new ArrayList<>(streams.values())) {
      stream.fail(reason);
    }
    lifecycle.terminate();
  }

  @Override
  public void ping(PingCallback callback, Executor executor) {
    boolean up = ready && shutdownStatus == null;
    executor.execute(
        () -> {
          if (up) {
            callback.onSuccess(0);
          } else {
            callback.onFailure(Status.UNAVAILABLE.withDescription("transport not ready"));
          }
        });
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public InternalLogId getLogId() {
    return logId;
  }

  @Override
  public ListenableFuture<SocketStats> getStats() {
    SettableFuture<SocketStats> stats = SettableFuture.create();
    stats.set(null);
    return stats;
  }

  @Override
  public String toString() {
    return "MqttClientTransport{" + config.clientId() + "@" + config.brokerUriString() + "}";
  }
}
