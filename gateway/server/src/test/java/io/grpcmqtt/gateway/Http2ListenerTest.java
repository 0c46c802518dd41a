package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestPki;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the HTTP/2 listener offers beside the Gateway: reflection, health, TLS and mutual TLS. */
class Http2ListenerTest {

  /** A reflection client (as grpcurl is) lists the services and gets gateway.proto with its imports. */
  @Test
  void reflectionListsTheServicesAndServesTheirFiles() throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, Transport.HTTP2)) {
      ServerReflectionResponse list = reflect(gw.channel,
          ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services = list.getListServicesResponse().getServiceList().stream()
          .map(s -> s.getName()).sorted().toList();
      assertEquals(List.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection", "robustmq.gateway.v1.RobustMQGateway",
          "robustmq.gateway.v1.RobustMQGatewayAdmin"), services);

      ServerReflectionResponse files = reflect(gw.channel, ServerReflectionRequest.newBuilder()
          .setFileContainingSymbol("robustmq.gateway.v1.RobustMQGateway").build());
      List<String> names = new ArrayList<>();
      for (ByteString bytes : files.getFileDescriptorResponse().getFileDescriptorProtoList()) {
        names.add(FileDescriptorProto.parseFrom(bytes).getName());
      }
      assertTrue(names.contains("robustmq/gateway/v1/gateway.proto"), names.toString());
      assertTrue(names.contains("grpcmqtt/options.proto"), names.toString());

      var health = HealthGrpc.newBlockingStub(gw.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          health.check(HealthCheckRequest.newBuilder().build()).getStatus());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          health.check(HealthCheckRequest.newBuilder().setService("robustmq.gateway.v1.RobustMQGateway").build()).getStatus());
    }
  }

  private static ServerReflectionResponse reflect(ManagedChannel channel, ServerReflectionRequest request)
      throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(request);
    ServerReflectionResponse r = answer.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    return r;
  }

  /** TLS, then mutual TLS: a client that trusts the CA gets in; one without a certificate does not. */
  @Test
  void tlsAndMutualTls() throws Exception {
    try (TestPki pki = TestPki.generate(); StoreKind.Location location = StoreKind.H2.newLocation()) {
      try (TestGateway gw = new TestGateway(Brokers.hivemq(), location, Transport.MQTT,
          b -> b.grpcTls(new GatewayConfig.Tls(pki.serverCertificate(), pki.serverKey(), null)))) {
        int port = gw.gateway().grpcPort();
        assertEquals(Status.Code.OK, sendOver(port, TlsChannelCredentials.newBuilder()
            .trustManager(pki.caCertificate().toFile()).build()));
        assertEquals(Status.Code.UNAVAILABLE, sendOver(port, null)); // plaintext to a TLS port
      }
      try (TestGateway gw = new TestGateway(Brokers.hivemq(), location, Transport.MQTT,
          b -> b.grpcTls(new GatewayConfig.Tls(pki.serverCertificate(), pki.serverKey(), pki.caCertificate())))) {
        int port = gw.gateway().grpcPort();
        assertEquals(Status.Code.OK, sendOver(port, TlsChannelCredentials.newBuilder()
            .trustManager(pki.caCertificate().toFile())
            .keyManager(pki.clientCertificate().toFile(), pki.clientKey().toFile()).build()));
        assertEquals(Status.Code.UNAVAILABLE, sendOver(port, TlsChannelCredentials.newBuilder()
            .trustManager(pki.caCertificate().toFile()).build()));
      }
    }
  }

  @Test
  void unreadableTlsFilesAreAStartFailureNamingThem() {
    try (StoreKind.Location location = StoreKind.H2.newLocation()) {
      java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
          () -> new TestGateway(Brokers.hivemq(), location, Transport.MQTT,
              b -> b.grpcTls(new GatewayConfig.Tls(java.nio.file.Path.of("/nonexistent/cert.pem"),
                  java.nio.file.Path.of("/nonexistent/key.pem"), null))));
      assertTrue(e.getMessage().contains("cannot use the TLS files (/nonexistent/cert.pem, /nonexistent/key.pem)"),
          e.getMessage());
    }
  }

  private static Status.Code sendOver(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = credentials == null
        ? NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build()
        : NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
    try {
      RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .send(SendRequest.newBuilder().setTopic("tls/test").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
