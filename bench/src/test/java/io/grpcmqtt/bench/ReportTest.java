package io.grpcmqtt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** grpc-mqtt is divided by the floor of its own MQTT client library. */
class ReportTest {
  private static final List<Result> RUN = List.of(
      unary("floor", 100), unary("floor-hivemq", 50), unary("grpc-mqtt", 25));

  @Test
  void hivemqRunIsDividedByTheHivemqFloor() {
    Map<String, Object> ratio = new Report(RUN, RawMqtt.Library.HIVEMQ).ratios().get(0);
    assertEquals("floor-hivemq", ratio.get("floor"));
    assertEquals(0.5, (double) ratio.get("throughput"), 1e-9);
  }

  @Test
  void pahoRunIsDividedByThePahoFloor() {
    Map<String, Object> ratio = new Report(RUN, RawMqtt.Library.PAHO).ratios().get(0);
    assertEquals("floor", ratio.get("floor"));
    assertEquals(0.25, (double) ratio.get("throughput"), 1e-9);
  }

  @Test
  void withoutItsOwnFloorTheRunIsDividedByPahos() {
    Map<String, Object> ratio = new Report(List.of(unary("floor", 100), unary("grpc-mqtt", 25)),
        RawMqtt.Library.HIVEMQ).ratios().get(0);
    assertEquals("floor", ratio.get("floor"));
  }

  private static Result unary(String impl, double perSec) {
    return Result.builder("mosquitto", "unary", impl).qos(1).concurrency(1).payload(64)
        .throughput(perSec).build();
  }
}
