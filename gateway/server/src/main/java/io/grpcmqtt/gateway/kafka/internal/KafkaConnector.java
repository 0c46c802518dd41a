package io.grpcmqtt.gateway.kafka.internal;

import io.grpcmqtt.gateway.internal.Queues;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.store.MessageStore;
import io.opentelemetry.api.metrics.Meter;

/**
 * The Gateway's Kafka side: Kafka out (the out rules route each sent message into the store's
 * outbox; {@link OutboxRelay} produces it) and Kafka ingest ({@link KafkaIngest}), each only when
 * configured.
 */
public final class KafkaConnector implements AutoCloseable {
  private final KafkaConfig config;
  private final OutboxRelay relay;
  private final KafkaIngest ingest;

  private KafkaConnector(KafkaConfig config, OutboxRelay relay, KafkaIngest ingest) {
    this.config = config;
    this.relay = relay;
    this.ingest = ingest;
  }

  /**
   * Routes {@code queues}' sends through the outbox and starts relaying and ingesting.
   *
   * @throws UnsupportedOperationException when Kafka out is on and {@code store} has no outbox
   * @throws org.apache.kafka.common.KafkaException when a client cannot be made (bad properties)
   */
  public static KafkaConnector start(KafkaConfig config, MessageStore store, Queues queues, Meter meter) {
    OutboxRelay relay = null;
    KafkaIngest ingest = null;
    try {
      if (!config.out().isEmpty()) {
        OutboxRelay r = new OutboxRelay(config, store.outbox(), meter);
        relay = r;
        queues.relayThrough(new KafkaRouting(config, r::wake));
        r.start();
      }
      if (!config.ingest().isEmpty()) {
        ingest = new KafkaIngest(config, (topic, payload, headers) -> queues.send(topic, payload, headers, null, null), meter);
        ingest.start();
      }
      return new KafkaConnector(config, relay, ingest);
    } catch (RuntimeException e) {
      if (ingest != null) {
        ingest.close();
      }
      if (relay != null) {
        relay.close();
      }
      throw e;
    }
  }

  /** One line for the ready line and logs. */
  public String describe() {
    return config.bootstrapServers() + " out " + (config.out().isEmpty() ? "off" : config.out().toString())
        + " ingest " + (config.ingest().isEmpty() ? "none" : config.ingest() + " group " + config.group());
  }

  /** Stops ingest (what was stored is committed), then the relay (what Kafka has not acknowledged stays in the outbox). */
  @Override
  public void close() {
    if (ingest != null) {
      ingest.close();
    }
    if (relay != null) {
      relay.close();
    }
  }
}
