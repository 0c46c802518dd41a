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

class TrailingDeadlinesTest {
  private static final Metadata.Key<String> TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void leavesAnUnreadableTimeoutToTheServer() {
    Metadata headers = timeout("10s");
    ServerStreamTracer tracer = new TrailingDeadlines().newServerStreamTracer("s/M", headers);
    assertEquals("10s", headers.get(TIMEOUT));
    assertSame(Context.ROOT, tracer.filterContext(Context.ROOT));
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
