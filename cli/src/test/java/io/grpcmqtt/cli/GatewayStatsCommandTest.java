package io.grpcmqtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpcmqtt.gateway.Gateway;
import io.grpcmqtt.gateway.GatewayConfig;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code grpc-mqtt gateway stats} against a real Gateway, through the broker and over HTTP/2. */
class GatewayStatsCommandTest {

  @Test
  void showsTheQueuesThroughTheBrokerAndOverHttp2(@TempDir Path dir) throws Exception {
    String prefix = "stats" + ProcessHandle.current().pid();
    try (Gateway gateway = Gateway.start(GatewayConfig.builder(Brokers.hivemq().uri())
        .rpcTopicPrefix(prefix)
        .grpcListen(new InetSocketAddress("127.0.0.1", 0))
        .build(), MessageStore.h2(dir))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
      try {
        var stub = RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        for (String topic : List.of("q/a", "q/a", "q/a", "q/b")) {
          stub.send(SendRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8("x")).build());
        }
        stub.receive(ReceiveRequest.newBuilder().setTopic("q/a").setLimit(1).build());
      } finally {
        channel.shutdownNow();
      }

      Cli table = Cli.run("gateway", "stats", "--grpc", "127.0.0.1:" + gateway.grpcPort(), "--topic-prefix", "q/");
      assertEquals(0, table.exit, table.toString());
      List<String> lines = table.lines();
      assertEquals(List.of("TOPIC", "DEPTH", "LEASED", "OLDEST", "REDELIVERED"), List.of(lines.get(0).trim().split("\\s+")), table.toString());
      assertTrue(lines.get(1).matches("q/a\\s+3\\s+1\\s+\\S+\\s+0"), table.toString());
      assertTrue(lines.get(2).matches("q/b\\s+1\\s+0\\s+\\S+\\s+0"), table.toString());
      assertTrue(lines.get(3).startsWith("2 topic(s); instance robustmq-gateway-"), table.toString());

      Cli json = Cli.run("gateway", "stats", "-b", Brokers.hivemq().uri(), "--prefix", prefix,
          "--topic-prefix", "q/b", "--json");
      assertEquals(0, json.exit, json.toString());
      assertEquals(1, json.lines().size(), json.toString());
      assertTrue(json.lines().get(0).startsWith("{\"topic\":\"q/b\",\"depth\":\"1\",\"leased\":\"0\","), json.toString());
    }
  }

  @Test
  void noGatewayIsUnavailableAndBadOptionsAreUsageErrors() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    Cli none = Cli.run("gateway", "stats", "--grpc", "127.0.0.1:" + port);
    assertEquals(14, none.exit, none.toString());
    assertTrue(none.err.startsWith("grpc-mqtt gateway stats: UNAVAILABLE"), none.toString());
    Cli bad = Cli.run("gateway", "stats", "--limit", "0");
    assertEquals(2, bad.exit, bad.toString());
    assertTrue(bad.err.startsWith("grpc-mqtt stats: --limit must be in 1..10000, was 0"), bad.toString());
  }

  static String age(long ms) {
    return GatewayStatsCommand.age(ms);
  }

  @Test
  void agesReadEasily() {
    assertEquals(List.of("850ms", "12.3s", "4m05s", "3h12m"),
        List.of(age(850), age(12_300), age(245_000), age(11_520_000)));
  }
}
