package io.grpcmqtt.bench;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import javax.annotation.Nullable;

/**
 * The contract floor of a stream: {@link RawPubSubRate}'s publish loop carrying what a grpc-mqtt
 * stream of the bench carries per message (docs/protocol.md §7.4, §7.5, §8.2), with no grpc-mqtt
 * or grpc-java code. A server stream's messages go to the channel's reply topic
 * {@code {prefix}/_reply/{23-character id}} with 8 bytes of Correlation Data and
 * {@code grpc-seq=1,2,...}; a client stream's go to the server's call topic
 * {@code {prefix}/_server/{id}} with the reply topic as Response Topic too. The payload is the
 * protobuf encoding of the bench's {@code Payload}. The receiver grants credit as grpc-mqtt's
 * receivers do: a window of {@link #WINDOW}, a {@code credit} frame with the cumulative total
 * ({@code delivered + window}) whenever that is half a window beyond the last grant, to the call
 * topic (server stream) or the reply topic (client stream); the sender never has more messages
 * out than the credit it has received. Only the message and credit frames are sent: a stream's
 * opening and closing frames are not part of its rate. {@code WireFloorTest} checks both frames
 * against grpc-mqtt's.
 *
 * <p>{@link WireContract.Threading#HANDED_OFF}: each received message is one task on
 * {@link WireContract#EXECUTOR}, which counts it and grants credit, as gRPC delivers each message
 * through the call's executor; {@link WireContract.Threading#DIRECT}: on the delivery thread.
 */
final class WireStream {
  /** grpc-mqtt's default flow-control window of both directions (ServerOptions, CallOptions). */
  static final int WINDOW = 512;

  /** Which end publishes the messages. */
  enum Direction {
    /** The server publishes (to the reply topic), the channel grants credit. */
    SERVER("server-stream"),
    /** The channel publishes (to the call topic), the server grants credit. */
    CLIENT("client-stream");

    /** The kind of the grpc-mqtt lines this floor is compared with. */
    final String kind;

    Direction(String kind) {
      this.kind = kind;
    }
  }

  private WireStream() {}

  /**
   * Messages per second received during the measurement, and errors; {@code ended} as
   * {@link RawPubSubRate#publish}'s.
   */
  static double[] run(WireContract wire, Direction direction, String uri, int qos,
      int payloadBytes, long warmupNanos, long measureNanos, long maxMessages,
      LongConsumer ended) throws Exception {
    boolean server = direction == Direction.SERVER;
    try (RawMqtt channel = wire.library.connect(uri, "req");
        RawMqtt service = wire.library.connect(uri, "rsp")) {
      RawMqtt sender = server ? service : channel;
      RawMqtt receiver = server ? channel : service;
      String replyTopic = wire.replyTopic(channel.id());
      String callTopic = wire.callTopic(service.id());
      byte[] correlation = new byte[8];
      ThreadLocalRandom.current().nextBytes(correlation);
      // The frames' topics and Response Topics (server stream: §7.4, client stream: §7.5).
      String messageTopic = server ? replyTopic : callTopic;
      String creditTopic = server ? callTopic : replyTopic;
      @Nullable String messageResponseTopic = server ? null : replyTopic;
      @Nullable String creditResponseTopic = server ? replyTopic : null;

      AtomicLong credit = new AtomicLong(WINDOW);
      sender.subscribe(creditTopic, qos, m -> {
        String total = m.userProperty("grpc-credit");
        if (total != null && "credit".equals(m.userProperty("grpc-ctl"))) {
          credit.accumulateAndGet(Long.parseLong(total), Math::max);
        }
      });
      Receiver counted = new Receiver(receiver, creditTopic, creditResponseTopic, correlation,
          qos);
      ExecutorService executor = wire.executor();
      receiver.subscribe(messageTopic, qos,
          executor == null ? m -> counted.delivered() : m -> executor.execute(counted::delivered));

      byte[] payload = WireContract.message(payloadBytes);
      RawPubSubRate.PacketSender send = (message, packet, sent, failed) ->
          sender.publish(messageTopic, payload, qos, messageResponseTopic, correlation,
              new RawMqtt.Extras(-1, List.of("grpc-seq", Long.toString(message))), sent, failed);
      return RawPubSubRate.publish(send, 1, credit::get, counted.count::get, warmupNanos,
          measureNanos, maxMessages, ended);
    }
  }

  /** The receiving end: counts deliveries and grants credit as grpc-mqtt's receivers do. */
  private static final class Receiver {
    final AtomicLong count = new AtomicLong();
    private final RawMqtt client;
    private final String creditTopic;
    @Nullable private final String creditResponseTopic;
    private final byte[] correlation;
    private final int qos;
    private long granted = WINDOW;

    Receiver(RawMqtt client, String creditTopic, @Nullable String creditResponseTopic,
        byte[] correlation, int qos) {
      this.client = client;
      this.creditTopic = creditTopic;
      this.creditResponseTopic = creditResponseTopic;
      this.correlation = correlation;
      this.qos = qos;
    }

    /** One message handed to the application; docs/protocol.md §8.2's re-grant rule. */
    void delivered() {
      long target = count.incrementAndGet() + WINDOW;
      long grant;
      synchronized (this) {
        if (target - granted < WINDOW / 2) {
          return;
        }
        granted = target;
        grant = target;
      }
      client.publish(creditTopic, new byte[0], qos, creditResponseTopic, correlation,
          new RawMqtt.Extras(-1, List.of("grpc-ctl", "credit", "grpc-credit",
              Long.toString(grant))), () -> {}, t -> {});
    }
  }
}
