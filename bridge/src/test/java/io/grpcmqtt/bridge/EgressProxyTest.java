package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.bridge.internal.RawMarshaller;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** grpc-mqtt stubs call a plain grpc-netty server through the egress proxy alone. */
class EgressProxyTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyCallKindToAPlainServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.egressOnly(broker)) {
      CallKinds.all(t);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void cancellationReachesThePlainServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.egressOnly(broker)) {
      DoubleProxyTest.cancelWhileHanging(t, "Bidi");
      DoubleProxyTest.cancelWhileHanging(t, "ServerStream");
    }
  }

  @Test
  void servicesNotConfiguredAreNotServed() throws Exception {
    try (Topology t = Topology.egressOnly(Brokers.hivemq())) {
      MethodDescriptor<byte[], byte[]> other =
          MethodDescriptor.newBuilder(RawMarshaller.INSTANCE, RawMarshaller.INSTANCE)
              .setFullMethodName("grpcmqtt.bridge.test.v1.Other/Unary")
              .setType(MethodDescriptor.MethodType.UNARY)
              .build();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> ClientCalls.blockingUnaryCall(
                  t.client, other, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                  new byte[0]));
      // Nothing subscribes to the topic of a service the proxy was not given, and the proxy's
      // online status lists the services it forwards: the channel answers as a gRPC server
      // would for a service it does not host (protocol.md §10.1).
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.getMessage());
    }
  }

  @Test
  void aProxyWithoutServicesIsABuildError() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EgressProxy.forTarget(MqttServerBuilder.forBroker("tcp://127.0.0.1:1"), "127.0.0.1:1").build());
    assertEquals("no service to forward: call addService(..)", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> EgressProxy.forTarget(MqttServerBuilder.forBroker("tcp://127.0.0.1:1"), "127.0.0.1:1")
            .addService("a/b"));
  }
}
