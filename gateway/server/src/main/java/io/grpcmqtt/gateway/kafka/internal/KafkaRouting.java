package io.grpcmqtt.gateway.kafka.internal;

import io.grpcmqtt.gateway.internal.OutboxRoute;
import io.grpcmqtt.gateway.internal.RateLimitedLog;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.KafkaOutRule;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The out rules as an {@link OutboxRoute}: the first rule whose filter matches a message's topic
 * names its Kafka topic. A destination that Kafka ingest reads is refused (a {@code {topic}} rule
 * could reach one that the configuration check could not see): that message is not produced, and a
 * rate-limited WARN says so.
 */
final class KafkaRouting implements OutboxRoute {
  private static final Logger log = LoggerFactory.getLogger(KafkaRouting.class);

  private final List<KafkaOutRule> rules;
  private final Set<String> ingestTopics;
  private final Runnable onAppended;
  private final RateLimitedLog loops = new RateLimitedLog(log);

  KafkaRouting(KafkaConfig config, Runnable onAppended) {
    this.rules = config.out();
    this.ingestTopics = config.ingestTopics();
    this.onAppended = onAppended;
  }

  @Override
  @Nullable
  public String destination(String topic) {
    for (KafkaOutRule rule : rules) {
      if (rule.matches(topic)) {
        String destination = rule.destination(topic);
        if (destination != null && ingestTopics.contains(destination)) {
          loops.warn("Messages of '{}' are not produced to Kafka: out rule '{}' names '{}', which Kafka ingest"
              + " reads (that would loop)", topic, rule, destination);
          return null;
        }
        return destination;
      }
    }
    return null;
  }

  @Override
  public void appended() {
    onAppended.run();
  }
}
