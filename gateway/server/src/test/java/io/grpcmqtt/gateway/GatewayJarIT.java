package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executable jar as a user runs it: everything it needs is inside (both transports, JSON calls). */
class GatewayJarIT {
  private static final Path JAR = Path.of(System.getProperty("gateway.jar", "target/grpc-mqtt-gateway.jar"));

  @Test
  void theJarServesOverMqttAndHttp2(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    try (GatewayProcess gateway = GatewayProcess.startJar(JAR, List.of("--embedded-port", Integer.toString(port),
        "--data-dir", dir.toString(), "--grpc-listen", "127.0.0.1:0"))) {
      Matcher m = Pattern.compile(".* \\| grpc 127\\.0\\.0\\.1:(\\d+) \\| .*").matcher(gateway.readyLine);
      assertTrue(m.matches(), gateway.readyLine);
      ManagedChannel http2 = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(m.group(1))).usePlaintext().build();
      ManagedChannel mqtt = MqttChannelBuilder.forBroker("tcp://127.0.0.1:" + port).build();
      try {
        String id = RobustMQGatewayGrpc.newBlockingStub(http2).withDeadlineAfter(20, TimeUnit.SECONDS)
            .send(SendRequest.newBuilder().setTopic("jar/test").setPayload(ByteString.copyFromUtf8("x")).build())
            .getMsgId();
        var got = RobustMQGatewayGrpc.newBlockingStub(mqtt).withDeadlineAfter(20, TimeUnit.SECONDS)
            .receive(ReceiveRequest.newBuilder().setTopic("jar/test").setLimit(1).build());
        assertEquals(id, got.getMessages(0).getMsgId());
        // A device's JSON call: the JSON codec is in the jar too.
        try (Mqtt device = new Mqtt("tcp://127.0.0.1:" + port)) {
          device.subscribe("jar/reply");
          device.request("grpc/" + Gateway.SERVICE + "/Send",
              "{\"topic\":\"jar/test\",\"payload\":\"MjEuNQ==\"}".getBytes(StandardCharsets.UTF_8),
              "jar/reply", "c1", "application/json");
          Mqtt.Received reply = device.next();
          assertEquals("0", reply.property("grpc-status"), reply.property("grpc-message"));
          assertTrue(new String(reply.message().getPayload(), StandardCharsets.UTF_8).startsWith("{\"msgId\":"));
        }
      } finally {
        http2.shutdownNow();
        mqtt.shutdownNow();
      }
      assertEquals(143, gateway.terminate(), gateway.log());
    }
  }
}
