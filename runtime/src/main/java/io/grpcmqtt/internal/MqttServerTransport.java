package io.grpcmqtt.internal;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.InternalChannelz.SocketStats;
import io.grpc.InternalLogId;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.internal.GrpcUtil;
import io.grpc.internal.ServerListener;
import io.grpc.internal.ServerTransport;
import io.grpc.internal.ServerTransportListener;
import io.grpc.internal.StatsTraceContext;
import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's MQTT connection, seen by gRPC as one transport carrying every caller's calls. It
 * subscribes per hosted service (shared, so instances split the load), turns request PUBLISHes
 * into gRPC streams and answers malformed ones itself. Paho's callback thread only decodes and
 * hands off; service code runs on the server's executor.
 */
final class MqttServerTransport implements ServerTransport {
  private static final Logger log = LoggerFactory.getLogger(MqttServerTransport.class);
  /** How long a stopping server waits for its barrier before it stops taking requests anyway. */
  private static final long BARRIER_TIMEOUT_MILLIS = 5_000;
  private static final Status SHUTTING_DOWN =
      Status.UNAVAILABLE.withDescription("server is shutting down");

  private final ServerSettings settings;
  private final ConnectionConfig config;
  private final Topics topics;
  private final MethodRegistry registry;
  /** Requests of MQTT 3.1.1 callers, who carry in topic levels what MQTT 5 ones put in properties. */
  private final V311RequestParser mqtt311;
  /** Reads MQTT 5 requests (and those of the 3.1.1 binding, once translated) into calls. */
  private final RequestParser parser;
  /**
   * The request subscriptions: the MQTT 5 filters, then those of the MQTT 3.1.1 binding, each
   * with the handler of its kind and the routes of its filter.
   */
  private final List<Subscription> requestSubscriptions;
  private final List<? extends ServerStreamTracer.Factory> tracerFactories;
  private final InternalLogId logId;
  /** Held from creation until after the transport terminated. */
  private final RuntimeExecutors.Lease executors = RuntimeExecutors.acquire();
  private final TransportLifecycle lifecycle;
  private final ConcurrentHashMap<CallKey, MqttServerStream> active = new ConcurrentHashMap<>();
  /** gRPC asks every call's stream for it: made once, not per call. */
  private final String authority;
  private final RecentCalls recent = new RecentCalls(10_000, 16L * 1024 * 1024);
  private final RateLimitedLog badInputLog = new RateLimitedLog(log, 10_000);
  /** Limits reached and vanished clients: a line of their own, so bad input cannot hide them. */
  private final RateLimitedLog limitLog = new RateLimitedLog(log, 10_000);
  /** Calls running per Response Topic, for the per-client limit. */
  private final ConcurrentHashMap<String, Integer> callsPerClient = new ConcurrentHashMap<>();
  /** Response Topics with a probe in flight. */
  private final Set<String> probing = ConcurrentHashMap.newKeySet();
  /**
   * Correlation Data of the barrier a stopping server publishes to its own inbox: it comes back
   * after every request the broker routed here before it took the unsubscribe.
   */
  private final byte[] barrier = new byte[16];
  private final ReassemblyBudget reassembly;
  /** {@link #newAssembler} as one object for every stream, which asks on its first chunk. */
  final Function<Runnable, ChunkAssembler> assemblers = this::newAssembler;

  private volatile TransportConnection connection;
  private ServerTransportListener transportListener;
  private Attributes streamAttributes = Attributes.EMPTY;
  /** Set once serving; cancelled as the transport terminates. */
  private volatile ScheduledFuture<?> prober;

  MqttServerTransport(
      ServerSettings settings,
      MethodRegistry registry,
      List<? extends ServerStreamTracer.Factory> tracerFactories) {
    this.settings = settings;
    this.config = settings.connection;
    this.topics = new Topics(config.topicPrefix());
    this.authority = config.authority();
    this.registry = registry;
    this.mqtt311 = new V311RequestParser(new Mqtt311Topics(config.topicPrefix()), registry.routes());
    this.parser = new RequestParser(settings.maxInboundMessageSize,
        settings.maxInboundMetadataSize, settings.defaultDeadlineNanos);
    this.requestSubscriptions = requestSubscriptions();
    this.tracerFactories = tracerFactories;
    this.logId = InternalLogId.allocate(getClass(), config.brokerUriString());
    new SecureRandom().nextBytes(barrier);
    this.reassembly = ReassemblyBudget.forMessageSize(settings.maxInboundMessageSize);
    // Requests are accepted until a stopping server's barrier came back (see drain).
    this.lifecycle = new TransportLifecycle(
        executors, serverId(), topics.serverStatus(serverId()), true,
        Publishes.properties(null, null, null, Publishes.single(Wire.ORDERLY, "true")),
        () -> {
          if (prober != null) {
            prober.cancel(false);
          }
        },
        () -> {
          log.info("server '{}' disconnected from {}", serverId(), config.brokerUriString());
          if (transportListener != null) {
            transportListener.transportTerminated();
          }
          executors.release();
        });
  }

  void start(ServerListener serverListener) throws IOException {
    transportListener = serverListener.transportCreated(this);
    streamAttributes =
        transportListener.transportReady(
            Attributes.newBuilder()
                .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, new BrokerAddress(config.brokerUriString()))
                .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, new BrokerAddress(config.brokerUriString()))
                .build());
    try {
      connection = TransportConnection.open(
          config, topics.serverStatus(serverId()), Topics.OFFLINE, true, true,
          this::connectionLost, this::reconnected);
      lifecycle.connected(connection);
      // What a server hears besides requests: its inbox, cancels and the callers' statuses.
      connection.subscribe(inboxTopic(), config.qos(), this::inboxArrived);
      connection.subscribe(topics.cancel(), config.qos(), this::cancelArrived);
      connection.subscribe(topics.clientStatusFilter(), 1, this::clientStatusArrived);
    } catch (IOException | RuntimeException e) {
      lifecycle.terminate();
      throw e;
    }
  }

  /**
   * Subscribes to the request topics and announces the server "online". Called once gRPC's server
   * has started, which only then has the executor its calls run on (see StartedServer).
   */
  void serveRequests() throws IOException {
    if (lifecycle.isShutdown()) {
      return;
    }
    try {
      for (Subscription s : requestSubscriptions) {
        connection.subscribe(s.filter(), s.qos(), s.listener());
      }
    } catch (IOException e) {
      lifecycle.terminate();
      throw e;
    }
    publishStatus(Topics.ONLINE);
    if (settings.probeIntervalNanos > 0) {
      prober = executors.scheduler().scheduleWithFixedDelay(
          this::probeClients, settings.probeIntervalNanos, settings.probeIntervalNanos,
          TimeUnit.NANOSECONDS);
      if (lifecycle.isTerminated()) {
        prober.cancel(false); // terminated meanwhile, after its own cancel found none
      }
    }
    log.info(
        "server '{}' serving {} on {} (requests: {})",
        serverId(), registry.serviceNames(), config.brokerUriString(), requestFilters());
  }

  String serverId() {
    return config.clientId();
  }

  String inboxTopic() {
    return topics.inbox(serverId());
  }

  Attributes streamAttributes() {
    return streamAttributes;
  }

  String authority() {
    return authority;
  }

  private List<String> requestFilters() {
    List<String> filters = new ArrayList<>(requestSubscriptions.size());
    for (Subscription s : requestSubscriptions) {
      filters.add(s.filter());
    }
    return filters;
  }

  /** One subscription and the code that takes what arrives on it. */
  private record Subscription(String filter, int qos, TransportConnection.Listener listener) {}

  /**
   * The MQTT 5 request filters, then those of the MQTT 3.1.1 binding, in the same groups: each
   * subscribed with its handler and its filter's routes, so a request is routed once, by the
   * filter that took it. The binding's filters hold a level {@code _311} after the prefix, which
   * no MQTT 5 filter receives, so the two sets never overlap.
   */
  private List<Subscription> requestSubscriptions() {
    RequestRoutes routes = registry.routes();
    List<Subscription> subs = new ArrayList<>();
    for (RequestRoutes.RequestFilter f
        : routes.filters(settings.sharedGroup, config.qos(), UnaryOperator.identity())) {
      subs.add(new Subscription(f.filter, f.qos, message -> requestArrived(f, message)));
    }
    for (RequestRoutes.RequestFilter f
        : routes.filters(settings.sharedGroup, config.qos(), mqtt311::filterFor)) {
      subs.add(new Subscription(f.filter, f.qos, message -> mqtt311Arrived(f, message)));
    }
    return subs;
  }

  private void publishStatus(String status) {
    // "online" lists the hosted services, so channels can answer a call of a service no server
    // hosts with UNIMPLEMENTED; the payload stays the bare word for every other reader.
    List<MqttUserProperty> services = new ArrayList<>();
    if (Topics.ONLINE.equals(status)) {
      for (String service : registry.serviceNames()) {
        services.add(new MqttUserProperty(Wire.SERVICE, service));
      }
    }
    connection.publish(
        topics.serverStatus(serverId()),
        status.getBytes(StandardCharsets.UTF_8),
        1,
        true,
        Publishes.properties(null, null, null, services),
        TransportConnection.IGNORE);
  }

  /**
   * Stops taking requests without refusing any that the broker routed here: unsubscribes the
   * request filters (from the UNSUBACK on, other instances of the shared group get them), then
   * publishes a barrier to its own inbox. The broker delivers it after whatever it had routed here
   * before, so every request that arrives before the barrier is served; only then does the server
   * refuse requests (with UNAVAILABLE) and end once its calls have.
   */
  private void drain() {
    if (connection == null) {
      drained();
      return;
    }
    connection.unsubscribe(requestFilters()).whenComplete((ok, error) -> {
      if (error != null) {
        log.info("server '{}': unsubscribe failed ({}); stopping without a barrier", serverId(),
            TransportConnection.describe(error));
        drained();
        return;
      }
      connection.publish(
          inboxTopic(), new byte[0], 1, false,
          Publishes.properties(null, barrier, null, new ArrayList<>(0)),
          new TransportConnection.PublishCallback() {
            @Override
            public void published(int reasonCode) {}

            @Override
            public void failed(Throwable cause) {
              drained();
            }
          });
      executors.schedule(this::drained, BARRIER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /** Nothing more can arrive: refuse what still does, and end once the running calls have. */
  private void drained() {
    int open = lifecycle.stopAccepting();
    if (open < 0) {
      return;
    }
    log.info("server '{}' takes no more requests; {} call(s) still running", serverId(), open);
    if (open == 0) {
      lifecycle.terminate();
    }
  }

  // --- inbound (the connection's delivery thread), one handler per subscription ---

  /** The server's inbox: the rest of streaming calls, and a stopping server's barrier. */
  private void inboxArrived(MqttMessage message) {
    Frame frame = Frame.decode(message);
    if (frame.responseTopic == null && Arrays.equals(frame.correlation, barrier)) {
      drained();
      return;
    }
    MqttServerStream stream = find(frame);
    if (stream != null) {
      stream.inbound(frame);
    } else {
      log.debug("message for no active call on {}", message.topic());
    }
  }

  private void cancelArrived(MqttMessage message) {
    MqttServerStream stream = find(Frame.decode(message));
    if (stream != null) {
      stream.clientGone(Status.CANCELLED.withDescription("client cancelled"));
    }
  }

  private void clientStatusArrived(MqttMessage message) {
    String client = topics.clientOfStatus(message.topic());
    if (client == null) {
      badInput("message on unexpected topic '" + message.topic() + "' ignored");
      return;
    }
    if (Topics.OFFLINE.equals(new String(message.payload(), StandardCharsets.UTF_8))) {
      cancelCallsOf(client);
    }
  }

  /** A request on one of the MQTT 5 request filters, routed by that filter. */
  private void requestArrived(RequestRoutes.RequestFilter filter, MqttMessage message) {
    String topic = message.topic();
    RequestRoute route = filter.route(topic);
    if (route == null) {
      RequestRoutes.Mismatch mismatch = registry.routes().mismatch(topic);
      if (mismatch != null) {
        // Answered (if it asks for an answer), like any other malformed request.
        reject(Frame.decode(message), Status.INVALID_ARGUMENT.withDescription(mismatch.reason()),
            mismatch.fullMethodName(), ReplyEncoding.MQTT5);
        return;
      }
      badInput("message on unexpected topic '" + topic + "' ignored");
      return;
    }
    handleRequest(route, Frame.decode(message), ReplyEncoding.MQTT5);
  }

  /**
   * A request of the MQTT 3.1.1 binding: served as the MQTT 5 request it stands for, answered in
   * topic levels; refused with INVALID_ARGUMENT where it names a reply address, else only logged.
   */
  private void mqtt311Arrived(RequestRoutes.RequestFilter filter, MqttMessage message) {
    V311RequestParser.Result request = mqtt311.parse(filter, message);
    if (request.refusal == null) {
      handleRequest(request.route, request.frame, request.replies);
    } else if (request.frame == null) {
      badInput(request.subject + ": " + request.refusal.getCode() + " "
          + request.refusal.getDescription());
    } else {
      reject(request.frame, request.refusal, request.subject, request.replies);
    }
  }

  @Nullable
  private MqttServerStream find(Frame frame) {
    if (frame.responseTopic == null || frame.correlation == null) {
      return null;
    }
    return active.get(new CallKey(frame.responseTopic, frame.correlation));
  }

  private void cancelCallsOf(String clientId) {
    Status status = Status.CANCELLED.withDescription("client '" + clientId + "' went offline");
    // An MQTT 3.1.1 device may set a will there too; its calls are those of its reply reference.
    int cancelled = endCallsOf(topics.reply(clientId), status)
        + endCallsOf(mqtt311.callerTopic(clientId), status);
    if (cancelled > 0) {
      log.info("client '{}' went offline: cancelled its {} call(s)", clientId, cancelled);
    }
  }

  /** Ends, without a reply, every call whose answers go to {@code responseTopic}. */
  private int endCallsOf(String responseTopic, Status status) {
    int ended = 0;
    for (MqttServerStream stream : new ArrayList<>(active.values())) {
      if (responseTopic.equals(stream.responseTopic())) {
        stream.clientGone(status);
        ended++;
      }
    }
    return ended;
  }

  /**
   * A publish to {@code responseTopic} found no subscriber (PUBACK 0x10): whoever called from
   * there is gone, with or without a will, and its calls end.
   */
  void clientVanished(String responseTopic) {
    int ended = endCallsOf(responseTopic, Status.CANCELLED.withDescription(
        "nobody is subscribed to the response topic '" + responseTopic + "' any more"));
    if (ended > 0) {
      limitLog.warn("server '{}': nobody is subscribed to '{}' any more: ended its {} call(s)",
          serverId(), responseTopic, ended);
    }
  }

  /**
   * Publishes a probe to each Response Topic that has held a streaming call for a probe interval:
   * a caller that left without a will (a device, a plain MQTT client) has no subscriber left
   * there, and the probe's PUBACK says so (0x10). Busy streams find it out from their own
   * messages; idle ones need this. One probe per topic in flight at a time.
   */
  private void probeClients() {
    long now = System.nanoTime();
    Set<String> due = new HashSet<>();
    for (MqttServerStream stream : active.values()) {
      if (stream.isStreaming() && now - stream.startNanos >= settings.probeIntervalNanos) {
        due.add(stream.responseTopic());
      }
    }
    for (String topic : due) {
      if (!probing.add(topic)) {
        continue;
      }
      connection.publish(
          topic, new byte[0], 1, false,
          Publishes.properties(null, null, null, Publishes.control(Wire.CTL_PROBE)),
          new TransportConnection.PublishCallback() {
            @Override
            public void published(int reasonCode) {
              probing.remove(topic);
              if (reasonCode == Wire.NO_MATCHING_SUBSCRIBERS) {
                clientVanished(topic);
              }
            }

            @Override
            public void failed(Throwable cause) {
              probing.remove(topic);
            }
          });
    }
  }

  /**
   * Takes one of the per-client call slots of {@code responseTopic}; false when none is left.
   * Compare-and-set on the count, without a lambda and a result array per call.
   */
  private boolean reserveClientSlot(String responseTopic) {
    while (true) {
      Integer calls = callsPerClient.get(responseTopic);
      if (calls == null) {
        if (settings.maxConcurrentCallsPerClient < 1) {
          return false;
        }
        if (callsPerClient.putIfAbsent(responseTopic, 1) == null) {
          return true;
        }
      } else if (calls >= settings.maxConcurrentCallsPerClient) {
        return false;
      } else if (callsPerClient.replace(responseTopic, calls, calls + 1)) {
        return true;
      }
    }
  }

  private void releaseClientSlot(String responseTopic) {
    while (true) {
      Integer calls = callsPerClient.get(responseTopic);
      if (calls == null) {
        return;
      }
      if (calls <= 1
          ? callsPerClient.remove(responseTopic, calls)
          : callsPerClient.replace(responseTopic, calls, calls - 1)) {
        return;
      }
    }
  }

  /** A limit refused a request or ended a call: a rate-limited line says which and whose. */
  void limitHit(String what) {
    limitLog.warn("server '{}': {}", serverId(), what);
  }

  /**
   * Acts on a request PUBLISH: a duplicate of a call running or just finished is dropped or
   * answered from the reply cache; a request the parser refuses, or one beyond the server's state
   * (draining, call limits), is answered with its status; the rest starts a call.
   */
  private void handleRequest(RequestRoute route, Frame frame, ReplyEncoding replies) {
    CallKey key =
        frame.responseTopic != null && frame.correlation != null
            ? new CallKey(frame.responseTopic, frame.correlation)
            : null;
    if (key != null && seenBefore(key)) {
      return;
    }
    if (!lifecycle.accepting()) {
      reject(frame, SHUTTING_DOWN, route.fullMethodName, replies);
      return;
    }
    RequestParser.Parsed parsed = parser.parse(route, frame);
    if (parsed.refusal != null) {
      reject(frame, parsed.refusal, route.fullMethodName, replies);
      return;
    }
    RequestParser.CallStart call = parsed.call;
    if (log.isDebugEnabled()) {
      log.debug("call {} from {} (timeout {} ns)", call.fullMethod, key, call.timeoutNanos);
    }
    if (withinLimits(call, replies)) {
      start(call, key, replies);
    }
  }

  /**
   * A QoS 1 duplicate of a call that runs (dropped), whose reply is out but not yet acknowledged,
   * or that ran (both answered again with that reply).
   */
  private boolean seenBefore(CallKey key) {
    MqttServerStream running = active.get(key);
    if (running != null) {
      RecentCalls.Reply sent = running.sentReply();
      if (sent == null) {
        log.debug("duplicate of active call {} dropped", key);
      } else {
        answerAgain(sent);
        log.debug("duplicate of call {} answered again: its reply awaits its PUBACK", key);
      }
      return true;
    }
    RecentCalls.Reply cached = recent.lookup(key);
    if (cached == null) {
      return false;
    }
    if (cached != RecentCalls.NO_REPLY) {
      answerAgain(cached);
    }
    log.debug("duplicate of finished call {} answered from the reply cache", key);
    return true;
  }

  private void answerAgain(RecentCalls.Reply reply) {
    ChunkingPublisher.publish(connection.publisher(), connection.maximumPacketSize(), reply.topic,
        reply.payload, config.qos(), reply.properties, TransportConnection.IGNORE);
  }

  /** Takes a slot of the server's and of the caller's call limits; else answers the refusal. */
  private boolean withinLimits(RequestParser.CallStart call, ReplyEncoding replies) {
    Frame frame = call.first;
    if (lifecycle.openCalls() >= settings.maxConcurrentCalls) {
      String what = "server is at its limit of " + settings.maxConcurrentCalls + " concurrent calls";
      limitHit(what + " (" + call.fullMethod + " from '" + frame.responseTopic + "' refused)");
      replyError(frame, Status.RESOURCE_EXHAUSTED.withDescription(what), replies);
      return false;
    }
    if (frame.responseTopic != null && !reserveClientSlot(frame.responseTopic)) {
      String what = "the caller at '" + frame.responseTopic + "' is at its limit of "
          + settings.maxConcurrentCallsPerClient + " concurrent calls on this server";
      limitHit(what + " (" + call.fullMethod + " refused)");
      replyError(frame, Status.RESOURCE_EXHAUSTED.withDescription(what), replies);
      return false;
    }
    return true;
  }

  /** Hands the call to gRPC, unless a stopping server stopped admitting calls meanwhile. */
  private void start(RequestParser.CallStart call, @Nullable CallKey key, ReplyEncoding replies) {
    Frame frame = call.first;
    StatsTraceContext stats =
        StatsTraceContext.newServerContext(tracerFactories, call.fullMethod, call.headers);
    StreamPublisher publisher = new StreamPublisher(
        connection, config.qos(), frame.responseTopic, null, frame.correlation,
        call.format.contentType(), null);
    MqttServerStream stream =
        new MqttServerStream(
            this, key, call, replies, publisher, config.flowControlWindow(),
            settings.maxInboundMessageSize, stats);
    if (key != null && active.putIfAbsent(key, stream) != null) {
      releaseClientSlot(frame.responseTopic);
      return;
    }
    // Checked again with the count: a stopping server ends once it refuses and runs nothing.
    if (lifecycle.admit(() -> {}) == 0) {
      if (key != null) {
        active.remove(key, stream);
      }
      if (frame.responseTopic != null) {
        releaseClientSlot(frame.responseTopic);
      }
      reject(frame, SHUTTING_DOWN, call.fullMethod, replies);
      return;
    }
    transportListener.streamCreated(stream, call.fullMethod, call.headers);
    stream.start();
  }

  /** Answers a request that cannot become a call, and logs it (the only trace of a one-way one). */
  private void reject(Frame frame, Status status, String fullMethod, ReplyEncoding replies) {
    badInput(fullMethod + ": " + status.getCode() + " " + status.getDescription());
    replyError(frame, status, replies);
  }

  /** Answers a request that cannot become a call, if it has a Response Topic. */
  private void replyError(Frame frame, Status status, ReplyEncoding replies) {
    if (frame.responseTopic == null) {
      return;
    }
    List<MqttUserProperty> props = new ArrayList<>(2);
    Wire.putStatus(props, status);
    String contentType = PayloadFormat.fromContentType(frame.contentType)
        .map(PayloadFormat::contentType).orElse(null);
    connection.publish(
        replies.topic(frame.responseTopic, status),
        replies.payload(new byte[0], status),
        config.qos(),
        false,
        Publishes.properties(null, frame.correlation, contentType, props),
        TransportConnection.IGNORE);
  }

  void badInput(String what) {
    badInputLog.warn("rejected request on server '{}': {}", serverId(), what);
  }

  /** Reassembles one call's chunked request messages within this connection's budget. */
  ChunkAssembler newAssembler(Runnable check) {
    return new ChunkAssembler(
        reassembly, "request", MqttServerStream::tooLarge, config.reassemblyTimeout().toNanos(),
        check, executors);
  }

  void streamDone(MqttServerStream stream, @Nullable RecentCalls.Reply reply, long ttlNanos) {
    if (stream.key != null) {
      recent.remember(stream.key, reply, ttlNanos);
      active.remove(stream.key, stream);
    }
    if (stream.responseTopic() != null) {
      releaseClientSlot(stream.responseTopic());
    }
    lifecycle.callEnded(() -> {});
  }

  private void connectionLost(Throwable cause) {
    if (lifecycle.isTerminated()) {
      return; // closed on purpose
    }
    log.warn(
        "server '{}' lost its connection to {} ({}); reconnecting",
        serverId(), config.brokerUriString(), cause.getMessage());
    // The final statuses wait in the publish queue and reach the clients once reconnected, so a
    // stream whose server comes back before its will is published still ends promptly.
    Status status = Status.UNAVAILABLE.withDescription("server lost its connection to the broker");
    for (MqttServerStream stream : new ArrayList<>(active.values())) {
      stream.cancel(status);
    }
  }

  /** The connection renewed the subscriptions (the request filters only while serving). */
  private void reconnected() {
    log.info("server '{}' reconnected to {}; subscriptions renewed", serverId(),
        config.brokerUriString());
    publishStatus(Topics.ONLINE);
  }

  // --- lifecycle ---

  /** Stops gracefully: serves what was routed here, then ends with the last call (see drain). */
  @Override
  public void shutdown() {
    if (lifecycle.shutdown()) {
      drain();
    }
  }

  @Override
  public void shutdownNow(Status reason) {
    shutdown();
    for (MqttServerStream stream : new ArrayList<>(active.values())) {
      stream.cancel(reason);
    }
    lifecycle.terminate();
  }

  @Override
  public ScheduledExecutorService getScheduledExecutorService() {
    // grpc-java's deadlines of server calls: the runtime's scheduler.
    return executors.scheduler();
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
}
