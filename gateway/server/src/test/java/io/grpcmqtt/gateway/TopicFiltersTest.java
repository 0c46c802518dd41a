package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.internal.TopicFilters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Overlap of MQTT topic filters, which decides which ingest filters are refused at start-up. */
class TopicFiltersTest {

  @ParameterizedTest
  @CsvSource({
      "devices/#, grpc/#, false",
      "#, grpc/#, true",
      "+/x, grpc/#, true",
      "grpc, grpc/#, true",
      "gateway/+/x, gateway/send/#, true",
      "gateway/recv/#, gateway/send/#, false",
      "a/b, a/+, true",
      "a/b/c, a/+, false",
      "a/+/c, a/b/+, true",
      "a, a/b, false"})
  void overlap(String a, String b, boolean expected) {
    assertEquals(expected, TopicFilters.overlap(a, b), a + " vs " + b);
    assertEquals(expected, TopicFilters.overlap(b, a), b + " vs " + a);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "$share/g/x", "a/#/b", "a/b#", "a+/b"})
  void invalidFilters(String filter) {
    assertTrue(TopicFilters.problem(filter) != null, filter);
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "a/#", "+/+", "devices/+/temp", "a//b"})
  void validFilters(String filter) {
    assertNull(TopicFilters.problem(filter), filter);
  }
}
