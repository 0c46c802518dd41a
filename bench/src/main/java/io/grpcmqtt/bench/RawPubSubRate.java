package io.grpcmqtt.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The floor of a stream: one raw client (of either library) publishes to a topic as fast as it can, another
 * subscribes and counts. The publisher keeps at most {@link #MAX_INFLIGHT} publishes unacknowledged
 * and at most {@link #MAX_AHEAD} messages not yet received, so the broker never queues without
 * limit. The rate is what the subscriber receives during the measurement.
 */
final class RawPubSubRate {
  static final int MAX_INFLIGHT = 1000;
  static final int MAX_AHEAD = 1000;

  private RawPubSubRate() {}

  /**
   * Messages per second received during the measurement, and errors; {@code ended} gets the
   * messages received in all before the clients close ({@link #publish}).
   */
  static double[] run(RawMqtt.Library library, String uri, int qos, int payloadBytes,
      long warmupNanos, long measureNanos, long maxMessages, LongConsumer ended)
      throws Exception {
    return run(library, uri, qos, payloadBytes, payloadBytes, MAX_AHEAD, warmupNanos,
        measureNanos, maxMessages, ended);
  }

  /**
   * As {@link #run(RawMqtt.Library, String, int, int, long, long, long, LongConsumer)}, each message published as packets of at
   * most {@code packetBytes} of payload (the floor of a message larger than the broker's packet
   * limit) and at most {@code maxAhead} messages not yet received.
   */
  static double[] run(RawMqtt.Library library, String uri, int qos, int payloadBytes,
      int packetBytes, int maxAhead, long warmupNanos, long measureNanos, long maxMessages)
      throws Exception {
    return run(library, uri, qos, payloadBytes, packetBytes, maxAhead, warmupNanos, measureNanos,
        maxMessages, n -> {});
  }

  private static double[] run(RawMqtt.Library library, String uri, int qos, int payloadBytes,
      int packetBytes, int maxAhead, long warmupNanos, long measureNanos, long maxMessages,
      LongConsumer ended) throws Exception {
    int packets = packets(payloadBytes, packetBytes);
    try (RawMqtt publisher = library.connect(uri, "pub");
        RawMqtt subscriber = library.connect(uri, "sub")) {
      String topic = "bench/raw/" + subscriber.id() + "/stream";
      AtomicLong receivedPackets = new AtomicLong();
      subscriber.subscribe(topic, qos, m -> receivedPackets.incrementAndGet());
      LongSupplier received = () -> receivedPackets.get() / packets;
      return publish(packetSender(publisher, topic, qos, payloadBytes, packetBytes), packets,
          ahead(received, maxAhead), received, warmupNanos, measureNanos, maxMessages, ended);
    }
  }

  /**
   * As {@link #run(RawMqtt.Library, String, int, int, long, long, long, LongConsumer)} with the subscriber in
   * another process ({@link ServerProcess}): it subscribes to {@code topic} and counts what it
   * receives into {@code received}, which throttles the publisher here as the local count does.
   */
  static double[] toRemote(RawMqtt.Library library, String uri, int qos, int payloadBytes,
      String topic, LongSupplier received, long warmupNanos, long measureNanos,
      long maxMessages, LongConsumer ended) throws Exception {
    try (RawMqtt publisher = library.connect(uri, "pub")) {
      return publish(packetSender(publisher, topic, qos, payloadBytes, payloadBytes), 1,
          ahead(received, MAX_AHEAD), received, warmupNanos, measureNanos, maxMessages, ended);
    }
  }

  /** How many packets of at most {@code packetBytes} a message of {@code payloadBytes} takes. */
  private static int packets(int payloadBytes, int packetBytes) {
    return payloadBytes <= packetBytes ? 1 : (payloadBytes + packetBytes - 1) / packetBytes;
  }

  /** Publishes packet {@code packet} of message {@code message} (counted from 1). */
  interface PacketSender {
    void send(long message, int packet, Runnable sent, Consumer<Throwable> failed);
  }

  /** The bare floor's packets: {@code payloadBytes} cut into packets of {@code packetBytes}. */
  private static PacketSender packetSender(RawMqtt publisher, String topic, int qos,
      int payloadBytes, int packetBytes) {
    int packets = packets(payloadBytes, packetBytes);
    byte[] full = new byte[packets == 1 ? payloadBytes : packetBytes];
    byte[] last = packets == 1 ? full : new byte[payloadBytes - (packets - 1) * packetBytes];
    return (message, packet, sent, failed) -> publisher.publish(topic,
        packet < packets - 1 ? full : last, qos, null, null, sent, failed);
  }

  /**
   * How many messages the publisher may have sent in all: {@code maxAhead} more than
   * {@code received} has counted since the start (a remote counter starts where earlier runs
   * left it).
   */
  private static LongSupplier ahead(LongSupplier received, int maxAhead) {
    long base = received.getAsLong();
    return () -> received.getAsLong() - base + maxAhead;
  }

  /**
   * The publishing loop: messages of {@code packets} packets each through {@code sender}, never
   * more in all than {@code allowed} says, at most {@link #MAX_INFLIGHT} packets unacknowledged;
   * and the rate {@code received} counts during the measurement, and the errors. {@code ended}
   * gets the messages {@code received} counted in all, at the end, while the caller's clients
   * are still connected (what their threads did is counted only while they run:
   * {@link KernelCounts}).
   */
  static double[] publish(PacketSender sender, int packets, LongSupplier allowed,
      LongSupplier received, long warmupNanos, long measureNanos, long maxMessages,
      LongConsumer ended) throws InterruptedException {
    AtomicLong errors = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    Semaphore inflight = new Semaphore(MAX_INFLIGHT);
    // A remote counter starts where earlier runs left it.
    long base = received.getAsLong();
    long t0 = System.nanoTime();
    long warmEnd = t0 + warmupNanos;
    long end = warmEnd + measureNanos;
    long sent = 0;
    long atWarmEnd = -1;
    while (sent < maxMessages && errors.get() < 100) {
      long now = System.nanoTime();
      if (atWarmEnd < 0 && now - warmEnd >= 0) {
        atWarmEnd = received.getAsLong();
      }
      if (now - end >= 0) {
        break;
      }
      if (sent >= allowed.getAsLong()) {
        LockSupport.parkNanos(20_000);
        continue;
      }
      for (int i = 0; i < packets; i++) {
        // A message's packets go out whole: wait for room (PUBACKs come, or errors count).
        while (!inflight.tryAcquire(10, TimeUnit.MILLISECONDS)) {
          if (errors.get() >= 100) {
            break;
          }
        }
        sender.send(sent + 1, i, inflight::release, e -> {
          inflight.release();
          errors.incrementAndGet();
          firstError.compareAndSet(null, e);
        });
      }
      sent++;
    }
    while (System.nanoTime() - end < 0) {
      if (atWarmEnd < 0 && System.nanoTime() - warmEnd >= 0) {
        atWarmEnd = received.getAsLong();
      }
      LockSupport.parkNanos(1_000_000);
    }
    if (atWarmEnd < 0) {
      atWarmEnd = base;
    }
    // On a busy machine a short window can end before the first message: extend it (bounded)
    // until one arrives, as the gRPC scenarios do.
    ClosedLoop.extendUntilCounted(received, atWarmEnd, () -> errors.get() > 0);
    long atEnd = received.getAsLong();
    ended.accept(atEnd - base);
    return new double[] {(atEnd - atWarmEnd) / ((System.nanoTime() - warmEnd) / 1e9),
        errors.get()};
  }
}
