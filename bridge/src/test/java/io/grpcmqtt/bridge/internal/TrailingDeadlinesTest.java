package io.grpcmqtt.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

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
  void movesTheDeadlineFromTheHeaderToTheContext() {
    Metadata headers = new Metadata();
    headers.put(TIMEOUT, "5S");
    ServerStreamTracer tracer = new TrailingDeadlines().newServerStreamTracer("s/M", headers);

    assertNull(headers.get(TIMEOUT), "the server must not see the timeout and reset the stream");
    Context.CancellableContext context = (Context.CancellableContext) tracer.filterContext(Context.ROOT);
    long left = context.getDeadline().timeRemaining(TimeUnit.MILLISECONDS);
    assertTrue(left > 3_000 && left <= 5_000, "deadline in " + left + " ms");
    assertFalse(context.isCancelled());

    tracer.streamClosed(Status.OK);
    assertTrue(context.isCancelled(), "closing the call releases the deadline's timer");
  }

  @Test
  void leavesCallsWithoutATimeoutAlone() {
    Metadata headers = new Metadata();
    ServerStreamTracer tracer = new TrailingDeadlines().newServerStreamTracer("s/M", headers);
    assertSame(Context.ROOT, tracer.filterContext(Context.ROOT));
    assertNull(tracer.filterContext(Context.ROOT).getDeadline());
  }
}
