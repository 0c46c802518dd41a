package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.grpcmqtt.test.v1.MappedServiceGrpc;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MethodPoliciesTest {
  @Test
  void idempotentByProtobufsIdempotencyLevelOrByTheMappingOption() {
    assertTrue(MethodPolicies.isIdempotent(TestServiceGrpc.getIdempotentUnaryMethod()));
    assertTrue(MethodPolicies.isIdempotent(MappedServiceGrpc.getGetMethod()));
    assertFalse(MethodPolicies.isIdempotent(TestServiceGrpc.getUnaryMethod()));
    assertFalse(MethodPolicies.isIdempotent(MappedServiceGrpc.getPlainMethod()));
  }

  @Test
  void aMethodWithoutAProtoDescriptorIsNotIdempotentAndHasNoTimeout() {
    MethodDescriptor<?, ?> bare = TestServiceGrpc.getUnaryMethod().toBuilder()
        .setSchemaDescriptor(null).setFullMethodName("x.Y/Z").build();
    assertFalse(MethodPolicies.isIdempotent(bare));
    assertEquals(7, MethodPolicies.timeoutNanos(bare, 7));
  }

  @Test
  void timeoutFromTheMappingOptionElseTheFallback() {
    assertEquals(TimeUnit.MILLISECONDS.toNanos(300),
        MethodPolicies.timeoutNanos(MappedServiceGrpc.getQuickMethod(), 1));
    assertEquals(1, MethodPolicies.timeoutNanos(MappedServiceGrpc.getPlainMethod(), 1));
  }
}
