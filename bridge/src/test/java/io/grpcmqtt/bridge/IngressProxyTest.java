package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpcmqtt.bridge.internal.RawMarshaller;
import io.grpcmqtt.bridge.test.v1.EchoProto;
import io.grpcmqtt.bridge.test.v1.EchoRequest;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Plain HTTP/2 stubs call a service hosted by a grpc-mqtt server through the ingress proxy. */
class IngressProxyTest {
  private static final MethodTypes DESCRIBED = MethodTypes.of(List.of(EchoProto.getDescriptor()));

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyCallKindToAGrpcMqttServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.ingressToNative(broker, DESCRIBED)) {
      CallKinds.all(t);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void cancellationReachesTheGrpcMqttServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.ingressToNative(broker, DESCRIBED)) {
      DoubleProxyTest.cancelWhileHanging(t, "Bidi");
      DoubleProxyTest.cancelWhileHanging(t, "ServerStream");
    }
  }

  /**
   * Without descriptors every call is forwarded as bidi; a grpc-mqtt server that hosts a unary
   * method itself serves it all the same, as an HTTP/2 server would.
   */
  @Test
  void withoutDescriptorsAGrpcMqttServerServesUnaryMethodsAnnouncedAsBidi() throws Exception {
    try (Topology t = Topology.ingressToNative(Brokers.hivemq(), MethodTypes.allBidi())) {
      CallKinds.bidi(t);
      CallKinds.unary(t);
    }
  }

  @Test
  void methodNamesThatCannotBeTopicsAreUnimplemented() throws Exception {
    try (Topology t = Topology.ingressToNative(Brokers.hivemq(), DESCRIBED)) {
      for (String name :
          List.of(Topology.SERVICE + "/Un+ary", Topology.SERVICE + "/#", "_reply/x", "a/b/c")) {
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> callRaw(t, name), name);
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), name);
      }
      // And the proxy keeps serving.
      CallKinds.unary(t);
    }
  }

  @Test
  void unknownMethodOfAHostedServiceIsUnimplemented() throws Exception {
    try (Topology t = Topology.ingressToNative(Brokers.hivemq(), DESCRIBED)) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> callRaw(t, Topology.SERVICE + "/Nope"));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }
  }

  private static byte[] callRaw(Topology t, String fullMethodName) {
    MethodDescriptor<byte[], byte[]> method =
        MethodDescriptor.newBuilder(RawMarshaller.INSTANCE, RawMarshaller.INSTANCE)
            .setFullMethodName(fullMethodName)
            .setType(MethodDescriptor.MethodType.UNARY)
            .build();
    return ClientCalls.blockingUnaryCall(
        t.client, method, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), new byte[0]);
  }
}
