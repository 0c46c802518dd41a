package io.grpcmqtt.gateway;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpcmqtt.MqttChannelBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * How a test reaches the Gateway: gRPC over MQTT through the broker, or plain HTTP/2 gRPC to its
 * listener. The behavioural tests run over both ({@code @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")}).
 */
enum Transport {
  MQTT {
    @Override
    ManagedChannel channel(TestGateway gw) {
      return MqttChannelBuilder.forBroker(gw.broker.uri()).topicPrefix(gw.prefix).clientId(gw.channelId).build();
    }
  },
  HTTP2 {
    @Override
    ManagedChannel channel(TestGateway gw) {
      return NettyChannelBuilder.forAddress("127.0.0.1", gw.gateway().grpcPort()).usePlaintext().build();
    }
  };

  abstract ManagedChannel channel(TestGateway gw);

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Every store with every transport: (StoreKind, Transport). */
  static Stream<Arguments> everySetup() {
    return StoreKind.both().flatMap(s -> Stream.of(Transport.values()).map(t -> Arguments.of(s, t)));
  }
}
