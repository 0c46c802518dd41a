package io.grpcmqtt.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrailingDeadlinesTest {
  private static final Metadata.Key<String> TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  @ParameterizedTest
  @CsvSource({
    "1n, 1",
    "250u, 250000",
    "999m, 999000000",
    "30S, 30000000000",
    "2M, 120000000000",
    "1H, 3600000000000",
    "99999999S, 99999999000000000",
  })
  void parsesEveryUnit(String header, long nanos) {
    assertEquals(nanos, TrailingDeadlines.parseTimeoutNanos(header));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "S", "10", "10s", "-1S", "1.5S", "123456789S", " 1S"})
  void rejectsWhatTheSpecificationDoesNotAllow(String header) {
    assertNull(TrailingDeadlines.parseTimeoutNanos(header));
  }

  @Test
  void movesAForwardedCallsDeadlineFromTheHeaderToAContextValue() {
    Metadata headers = timeout("5S");
    ServerStreamTracer tracer = new TrailingDeadlines().newServerStreamTracer("s/M", headers);

    assertNull(headers.get(TIMEOUT), "the server must not see the timeout and reset the stream");
    Context context = tracer.filterContext(Context.ROOT);
    assertNull(context.getDeadline(), "a deadline on the context makes the server reset too");
    long left = TrailingDeadlines.DEADLINE.get(context).timeRemaining(TimeUnit.MILLISECONDS);
    assertTrue(left > 3_000 && left <= 5_000, "deadline in " + left + " ms");
  }

  @Test
  void leavesMethodsTheServerHostsItselfToGrpc() {
    TrailingDeadlines deadlines = new TrailingDeadlines();
    deadlines.servedDirectly(Set.of("grpc.health.v1.Health/Check"));
    Metadata headers = timeout("5S");
    ServerStreamTracer tracer =
        deadlines.newServerStreamTracer("grpc.health.v1.Health/Check", headers);
    assertEquals("5S", headers.get(TIMEOUT));
    assertSame(Context.ROOT, tracer.filterContext(Context.ROOT));
  }

  @Test
  void leavesCallsWithoutATimeoutAlone() {
    ServerStreamTracer tracer = new TrailingDeadlines().newServerStreamTracer("s/M", new Metadata());
    assertSame(Context.ROOT, tracer.filterContext(Context.ROOT));
  }

  private static Metadata timeout(String value) {
    Metadata headers = new Metadata();
    headers.put(TIMEOUT, value);
    return headers;
  }
}
