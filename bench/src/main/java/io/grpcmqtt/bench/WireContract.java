package io.grpcmqtt.bench;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * The contract floor: what a grpc-mqtt unary Echo call of the bench puts on the wire
 * (docs/protocol.md §3-§7.1), sent and answered with a raw MQTT client and no grpc-mqtt or
 * grpc-java code. The request goes to {@code {prefix}/grpcmqtt.bench.v1.Bench/Echo} with the
 * Response Topic {@code {prefix}/_reply/{23-character client id}}, 8 bytes of Correlation Data, a
 * Message Expiry of the 30 s deadline rounded up and a {@code grpc-timeout} user property; the
 * payload is the protobuf encoding of the bench's {@code Payload}; the responder subscribes as
 * {@code $share/grpc-mqtt/{prefix}/grpcmqtt.bench.v1.Bench/+} and replies with the same payload,
 * the Correlation Data and {@code grpc-status=0}. {@code WireFloorTest} checks these against what
 * grpc-mqtt sends.
 *
 * <p>{@link Threading} says which threads a call crosses: none beyond the library's delivery
 * threads, or the hand-offs grpc-java's API makes grpc-mqtt do.
 */
final class WireContract {
  /** The impl name of the bare floors' contract counterparts, before the library's suffix. */
  enum Threading {
    /**
     * grpc-mqtt's hand-offs: the responder's delivery thread hands the request to an executor
     * thread that publishes the reply, and the reply's PUBACK runs a second task there (gRPC's
     * {@code closed}); the requester's delivery thread hands the reply to an executor thread
     * that completes the call. Compare with {@code grpc-mqtt}.
     */
    HANDED_OFF("floor-wire"),
    /**
     * Everything on the delivery threads, as the bare floor: compare with
     * {@code grpc-mqtt-direct}.
     */
    DIRECT("floor-wire-direct");

    final String impl;

    Threading(String impl) {
      this.impl = impl;
    }
  }

  /** The bench service's Echo method, as grpc-mqtt names its request topic. */
  static final String METHOD = "grpcmqtt.bench.v1.Bench/Echo";
  /** grpc-mqtt servers' default shared-subscription group. */
  static final String SHARE_GROUP = "grpc-mqtt";
  /** GrpcScenarios.unary's deadline. */
  static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** The unary reply's user properties for status OK. */
  static final RawMqtt.Extras OK = new RawMqtt.Extras(-1, List.of("grpc-status", "0"));
  /** grpc-mqtt's generated client ids are this long (ConnectionConfig). */
  static final int CLIENT_ID_LENGTH = 23;

  /**
   * The executor of the handed-off variant: the JDK's equivalent of grpc-mqtt's default call
   * executor (a {@code CallPool}: one queue served by as many runners as cores; it also adds
   * runners when a task waits 5 ms, which a non-blocking echo never makes it do). One per
   * process, as grpc-mqtt's is.
   */
  static final ExecutorService EXECUTOR =
      Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "floor-wire-executor");
        t.setDaemon(true);
        return t;
      });

  final RawMqtt.Library library;
  final Threading threading;
  /** The topic prefix, as long as grpc-mqtt's in the bench ({@code bench-} + 8 characters). */
  final String prefix;

  WireContract(RawMqtt.Library library, Threading threading, String runId) {
    this.library = library;
    this.threading = threading;
    this.prefix = prefix(library, threading, runId);
  }

  /** A run id of the form the bench gives grpc-mqtt's topic prefix. */
  static String newRunId() {
    return "bench-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * {@code runId}'s prefix ({@code bench-xxxxxxxx}, grpc-mqtt's in the bench) with the first word
   * replaced by one of the same length per library and threading, so that no two responders
   * (nor grpc-mqtt's server) share a request topic.
   */
  private static String prefix(RawMqtt.Library library, Threading threading, String runId) {
    char tag = (char) ('a' + library.ordinal() * Threading.values().length + threading.ordinal());
    return "wire" + tag + runId.substring(runId.indexOf('-'));
  }

  /** The impl name of this floor's lines ({@code floor-wire}, {@code floor-wire-direct-hivemq}). */
  String impl() {
    return impl(library, threading);
  }

  static String impl(RawMqtt.Library library, Threading threading) {
    return threading.impl + library.impl.substring("floor".length());
  }

  /** The library and threading of a contract floor's impl name, else null. */
  @Nullable
  static WireContract ofImpl(String impl, String runId) {
    for (RawMqtt.Library l : RawMqtt.Library.values()) {
      for (Threading t : Threading.values()) {
        if (impl(l, t).equals(impl)) {
          return new WireContract(l, t, runId);
        }
      }
    }
    return null;
  }

  @Nullable
  ExecutorService executor() {
    return threading == Threading.HANDED_OFF ? EXECUTOR : null;
  }

  String requestTopic() {
    return prefix + "/" + METHOD;
  }

  /** What the responder subscribes to, as grpc-mqtt's server does for a hosted service. */
  String responderFilter() {
    return "$share/" + SHARE_GROUP + "/" + prefix + "/" + METHOD.substring(0, METHOD.indexOf('/'))
        + "/+";
  }

  /** A reply topic of grpc-mqtt's form for {@code clientId}, padded to a generated id's length. */
  String replyTopic(String clientId) {
    return prefix + "/_reply/" + generatedLength(clientId);
  }

  /**
   * A server's call topic ({@code grpc-call-topic}, where a stream's credit and client messages
   * go) of grpc-mqtt's form for {@code clientId}, padded as {@link #replyTopic}.
   */
  String callTopic(String clientId) {
    return prefix + "/_server/" + generatedLength(clientId);
  }

  private static String generatedLength(String clientId) {
    StringBuilder id = new StringBuilder(clientId);
    while (id.length() < CLIENT_ID_LENGTH) {
      id.append('0');
    }
    return id.substring(0, CLIENT_ID_LENGTH);
  }

  /** A request's Message Expiry and {@code grpc-timeout} with {@code nanosLeft} to its deadline. */
  static RawMqtt.Extras request(long nanosLeft) {
    long seconds = Math.max(1, (nanosLeft + 999_999_999L) / 1_000_000_000L);
    return new RawMqtt.Extras(seconds, List.of("grpc-timeout", timeout(nanosLeft)));
  }

  /** docs/protocol.md §5.2: the finest unit whose value stays below 100,000,000, truncated. */
  static String timeout(long nanos) {
    if (nanos < 0) {
      return "0n";
    }
    long[] per = {1, 1_000, 1_000_000, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};
    char[] unit = {'n', 'u', 'm', 'S', 'M', 'H'};
    for (int i = 0; i < per.length; i++) {
      if (nanos / per[i] < 100_000_000) {
        return Long.toString(nanos / per[i]) + unit[i];
      }
    }
    return (nanos / per[per.length - 1]) + "H";
  }

  /** The protobuf encoding of the bench's {@code Payload} of {@code size} zero bytes. */
  static byte[] message(int size) {
    if (size == 0) {
      return new byte[0];
    }
    int varint = 1;
    for (int v = size >>> 7; v != 0; v >>>= 7) {
      varint++;
    }
    byte[] out = new byte[1 + varint + size];
    out[0] = 0x0a; // field 1 (data), length-delimited
    int i = 1;
    int v = size;
    while ((v & ~0x7f) != 0) {
      out[i++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out[i] = (byte) v;
    return out;
  }

  /**
   * Connects a responder of this contract: every request is answered with its payload, its
   * Correlation Data and {@code grpc-status=0}, on the delivery thread or, handed off, on
   * {@link #EXECUTOR}, where the reply's PUBACK also runs a task.
   */
  RawMqtt responder(String uri, int qos) throws Exception {
    RawMqtt r = library.connect(uri, "rsp");
    ExecutorService executor = executor();
    r.subscribe(responderFilter(), qos, m -> {
      String to = m.responseTopic();
      byte[] corr = m.correlation();
      byte[] payload = m.payload();
      // A server reads the deadline before it starts the call.
      String timeout = m.userProperty("grpc-timeout");
      if (to == null || timeout == null) {
        return;
      }
      if (executor == null) {
        r.publish(to, payload, qos, null, corr, OK, () -> {}, t -> {});
      } else {
        executor.execute(() -> r.publish(to, payload, qos, null, corr, OK,
            () -> executor.execute(CLOSED), t -> {}));
      }
    });
    return r;
  }

  /** The server's {@code closed} after the reply's PUBACK: nothing to do but be run. */
  private static final Runnable CLOSED = () -> {};
}
