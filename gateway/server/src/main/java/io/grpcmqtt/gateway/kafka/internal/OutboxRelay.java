package io.grpcmqtt.gateway.kafka.internal;

import io.grpcmqtt.gateway.internal.RateLimitedLog;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.store.Outbox;
import io.grpcmqtt.gateway.store.StoreException;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the store's {@link Outbox} to Kafka, oldest entry first, and removes each entry once Kafka
 * has acknowledged its record ({@code acks=all}, idempotent producer, no delivery timeout: while
 * Kafka is away, records wait in the producer and the entries in the store). An entry Kafka can
 * never take (too large, invalid topic) is parked with the reason and a WARN; any other failure
 * keeps it and retries with back-off.
 *
 * <p>Among Gateways sharing a PostgreSQL store one relays at a time ({@link Outbox#lead()}), so
 * each entry is produced once and per-topic order holds; the others stand by and take over when
 * the leader's database session ends. A crash between Kafka's acknowledgement and the removal
 * produces those entries again: at most one batch ({@value #BATCH_RECORDS} records) per crash or
 * change of leader.
 *
 * <p>Logs the backlog at INFO (at most every 30 s) while its oldest entry is over 10 s old, and
 * once when it has drained; exports it as metrics beside the queues'.
 */
public final class OutboxRelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  static final int BATCH_RECORDS = 500;
  private static final long BATCH_BYTES = 16L << 20;
  private static final long IDLE_POLL_MILLIS = 250;
  private static final long STANDBY_MILLIS = 2_000;
  private static final long MIN_BACKOFF_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 15_000;
  private static final long BACKLOG_CHECK_MILLIS = 5_000;
  private static final long BEHIND_MILLIS = 10_000;
  private static final long BACKLOG_LOG_MILLIS = 30_000;
  private static final long CLOSE_GRACE_MILLIS = 5_000;

  private final KafkaConfig config;
  private final Outbox outbox;
  private final String clientId;
  private final Thread thread;
  private final Object wake = new Object();
  private final RateLimitedLog failures = new RateLimitedLog(log);
  private final LongCounter producedCounter;
  private boolean woken;
  private volatile boolean closed;
  private volatile KafkaProducer<byte[], byte[]> producer;
  private volatile String lastError;
  private long nextBacklogCheck;
  private long nextBacklogLog;
  private boolean behind;

  public OutboxRelay(KafkaConfig config, Outbox outbox, Meter meter) {
    this.config = config;
    this.outbox = outbox;
    this.clientId = "robustmq-gateway-relay-" + UUID.randomUUID().toString().substring(0, 8);
    this.thread = new Thread(this::run, "gateway-kafka-relay");
    thread.setDaemon(true);
    this.producedCounter = meter.counterBuilder("robustmq.gateway.kafka.out.produced")
        .setDescription("Messages produced to Kafka and acknowledged by it")
        .setUnit("{record}")
        .build();
    ObservableLongMeasurement backlog = meter.gaugeBuilder("robustmq.gateway.kafka.out.backlog").ofLongs()
        .setDescription("Stored messages not yet produced to Kafka (parked ones excluded)")
        .setUnit("{record}")
        .buildObserver();
    ObservableDoubleMeasurement age = meter.gaugeBuilder("robustmq.gateway.kafka.out.backlog_age")
        .setDescription("Age of the oldest message not yet produced to Kafka")
        .setUnit("s")
        .buildObserver();
    ObservableLongMeasurement parked = meter.gaugeBuilder("robustmq.gateway.kafka.out.parked").ofLongs()
        .setDescription("Messages Kafka refused for good (too large, invalid topic): kept in the outbox for an operator")
        .setUnit("{record}")
        .buildObserver();
    meter.batchCallback(() -> {
      long now = System.currentTimeMillis();
      Outbox.Backlog b;
      try {
        b = outbox.backlog(now);
      } catch (RuntimeException e) {
        log.warn("Kafka out metrics not collected: the store failed ({})", e.getMessage());
        return;
      }
      backlog.record(b.pending());
      age.record(b.pending() == 0 ? 0 : Math.max(0, now - b.oldestCreatedMillis()) / 1000.0);
      parked.record(b.parked());
    }, backlog, age, parked);
  }

  public void start() {
    thread.start();
  }

  /** A message with an outbox entry was committed: look now rather than at the next poll. */
  public void wake() {
    synchronized (wake) {
      woken = true;
      wake.notifyAll();
    }
  }

  private void run() {
    boolean standingBy = false;
    boolean announced = false;
    long backoff = MIN_BACKOFF_MILLIS;
    while (!closed) {
      Outbox.Leadership leadership = null;
      try {
        leadership = outbox.lead();
        if (leadership == null) {
          if (!standingBy) {
            log.info("Another Gateway sharing the store relays to Kafka; this one stands by");
            standingBy = true;
          }
          announced = false;
          pause(STANDBY_MILLIS);
          continue;
        }
        standingBy = false;
        if (!announced) {
          log.info("Relaying stored messages to Kafka at {} (acks=all, idempotent)", config.bootstrapServers());
          announced = true;
        }
        announced = relayWhile(leadership);
        backoff = MIN_BACKOFF_MILLIS;
      } catch (StoreException | org.apache.kafka.common.KafkaException e) {
        if (!closed) {
          lastError = e.getMessage();
          failures.warn("Kafka out: {} (retrying in {} ms)", e.getMessage(), backoff);
          pause(backoff);
          backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          log.error("Kafka out relay failed; retrying in {} ms", MAX_BACKOFF_MILLIS, e);
          pause(MAX_BACKOFF_MILLIS);
        }
      } finally {
        closeProducer(Duration.ofSeconds(5));
        if (leadership != null) {
          leadership.close();
        }
      }
    }
  }

  /**
   * Relays batches while this process leads; throws after a produce failure (the caller backs off).
   * Returns false when the leadership was lost.
   */
  private boolean relayWhile(Outbox.Leadership leadership) throws InterruptedException {
    producer = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    while (!closed && leadership.held()) {
      reportBacklog();
      List<Outbox.Entry> batch = outbox.next(BATCH_RECORDS, BATCH_BYTES);
      if (batch.isEmpty()) {
        awaitWork(IDLE_POLL_MILLIS);
        continue;
      }
      String failure = produce(batch);
      if (failure != null) {
        throw new org.apache.kafka.common.KafkaException(failure);
      }
      lastError = null;
    }
    if (!closed) {
      log.warn("Lost the relay lock (database session ended); relaying stops until it is taken again");
    }
    return false;
  }

  /** Produces a batch in order; removes what Kafka acknowledged; returns why it stopped early, or null. */
  private String produce(List<Outbox.Entry> batch) throws InterruptedException {
    List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
    String failure = null;
    for (Outbox.Entry e : batch) {
      Future<RecordMetadata> f = producer.send(record(e));
      sent.add(f);
      if (f.isDone() && failed(f) && !permanent(f)) {
        // Refused at once (e.g. no metadata within max.block.ms): later ones would wait as long; keep order.
        break;
      }
    }
    List<Long> done = new ArrayList<>(sent.size());
    for (int i = 0; i < sent.size(); i++) {
      Outbox.Entry e = batch.get(i);
      try {
        await(sent.get(i));
        done.add(e.id());
      } catch (ExecutionException ex) {
        Throwable cause = ex.getCause();
        if (isPermanent(cause)) {
          outbox.park(e.id(), cause.toString());
          log.warn("Message {} of '{}' cannot be produced to Kafka topic '{}' and is parked in the outbox: {}",
              e.messageId(), e.topic(), e.destination(), cause.toString());
        } else if (failure == null) {
          failure = "produce to '" + e.destination() + "' failed: " + cause;
        }
      }
    }
    outbox.remove(done);
    producedCounter.add(done.size());
    return failure;
  }

  private ProducerRecord<byte[], byte[]> record(Outbox.Entry e) {
    RecordHeaders headers = new RecordHeaders();
    for (Map.Entry<String, String> h : e.headers().entrySet()) {
      headers.add(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8));
    }
    headers.add(KafkaHeaders.MSG_ID, Long.toString(e.messageId()).getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.TIMESTAMP, Long.toString(e.createdMillis()).getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(e.destination(), null, e.createdMillis(),
        e.topic().getBytes(StandardCharsets.UTF_8), e.payload(), headers);
  }

  /** Waits for Kafka's answer, reporting the backlog meanwhile (a Kafka outage waits here). */
  private void await(Future<RecordMetadata> f) throws ExecutionException, InterruptedException {
    while (true) {
      try {
        f.get(BACKLOG_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException timeout) {
        lastError = "waiting for Kafka at " + config.bootstrapServers();
        reportBacklog();
      }
    }
  }

  private static boolean failed(Future<?> f) {
    try {
      f.get();
      return false;
    } catch (ExecutionException | InterruptedException e) {
      return true;
    }
  }

  private static boolean permanent(Future<?> f) {
    try {
      f.get();
      return false;
    } catch (ExecutionException e) {
      return isPermanent(e.getCause());
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static boolean isPermanent(Throwable t) {
    return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
        || t instanceof InvalidTopicException || t instanceof InvalidRecordException;
  }

  Map<String, Object> producerProperties() {
    Map<String, Object> p = new java.util.LinkedHashMap<>();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // A Send may carry up to 3 MiB; the broker's message.max.bytes still applies (too large: parked).
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    // Never give up on a record while Kafka is away: the outbox holds it anyway, and a retry by the
    // idempotent producer is de-duplicated where a new send would not be.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    p.putAll(config.clientProperties("producer."));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return p;
  }

  private void reportBacklog() {
    long now = System.currentTimeMillis();
    if (now < nextBacklogCheck) {
      return;
    }
    nextBacklogCheck = now + BACKLOG_CHECK_MILLIS;
    Outbox.Backlog b;
    try {
      b = outbox.backlog(now);
    } catch (RuntimeException e) {
      return;
    }
    long age = b.pending() == 0 ? 0 : Math.max(0, now - b.oldestCreatedMillis());
    if (age >= BEHIND_MILLIS) {
      if (now >= nextBacklogLog) {
        String error = lastError;
        log.info("Kafka out backlog: {} message(s), oldest {} s old{}", b.pending(), age / 1000,
            error == null ? "" : " (" + error + ")");
        nextBacklogLog = now + BACKLOG_LOG_MILLIS;
        behind = true;
      }
    } else if (behind) {
      log.info("Kafka out caught up: {} message(s) waiting, the oldest {} ms old", b.pending(), age);
      behind = false;
      nextBacklogLog = 0;
    }
  }

  private void awaitWork(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (wake) {
      // A spurious wake-up must not cut the wait short: only a signal, close or the deadline does.
      for (long left = millis; !woken && !closed && left > 0;
          left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
        wake.wait(left);
      }
      woken = false;
    }
  }

  private void pause(long millis) {
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      synchronized (wake) {
        for (long left = millis; !closed && left > 0;
            left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
          wake.wait(left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeProducer(Duration timeout) {
    KafkaProducer<byte[], byte[]> p = producer;
    producer = null;
    if (p != null) {
      p.close(timeout);
    }
  }

  /**
   * Stops relaying: the batch in flight gets up to {@value #CLOSE_GRACE_MILLIS} ms to be
   * acknowledged and removed (so a clean stop with Kafka up leaves no duplicates); what Kafka has
   * not acknowledged by then stays in the outbox for the next start.
   */
  @Override
  public void close() {
    closed = true;
    synchronized (wake) {
      wake.notifyAll();
    }
    try {
      thread.join(CLOSE_GRACE_MILLIS);
      KafkaProducer<byte[], byte[]> p = producer;
      if (thread.isAlive() && p != null) {
        // Kafka is not answering: fail what waits for it, so the thread ends now.
        p.close(Duration.ZERO);
      }
      thread.join(CLOSE_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
