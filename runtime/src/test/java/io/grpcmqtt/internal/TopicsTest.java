package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicsTest {
  private final Topics topics = new Topics("grpc");

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "grpc/pkg.Svc/Method, pkg.Svc/Method",
        "grpc/Svc/M, Svc/M",
        "grpc/_reply/c1, null",
        "grpc/_server/s1, null",
        "grpc/pkg.Svc, null",
        "grpc/pkg.Svc/, null",
        "grpc/pkg.Svc/M/extra, null",
        "other/pkg.Svc/M, null",
        "grpcx/pkg.Svc/M, null",
      })
  void findsTheMethodOfARequestTopic(String topic, String method) {
    assertEquals(method, topics.methodOf(topic));
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "grpc/_status/client/c1, c1, null",
        "grpc/_status/server/s1, null, s1",
        "grpc/_status/server/, null, null",
        "grpc/_status/server/a/b, null, null",
      })
  void findsWhoAStatusTopicIsAbout(String topic, String client, String server) {
    assertEquals(client, topics.clientOfStatus(topic));
    assertEquals(server, topics.serverOfStatus(topic));
  }
}
