package io.grpcmqtt;

import static io.grpcmqtt.TlsTest.assertUnavailableNaming;
import static io.grpcmqtt.TlsTest.callFails;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.SecureMosquitto;
import io.grpcmqtt.testing.TestPki;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Username and password over TLS, against a Mosquitto password_file with allow_anonymous false. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CredentialsTest {
  private static TestPki pki;
  private static SecureMosquitto broker;

  @BeforeAll
  static void start() {
    pki = TestPki.generate();
    broker =
        SecureMosquitto.builder().tls(pki).user("grpc-server", "server-secret")
            .user("alice", "alice-secret").start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    if (pki != null) {
      pki.close();
    }
  }

  @Test
  void rightCredentialsWork() throws Exception {
    try (Endpoints e =
        new Endpoints(
            TestTls.trusting(MqttServerBuilder.forBroker(broker.sslUri()), pki)
                .credentials("grpc-server", "server-secret"),
            TestTls.trusting(MqttChannelBuilder.forBroker(broker.sslUri()), pki)
                .credentials("alice", "alice-secret"))) {
      e.smokeAllCallKinds();
    }
  }

  @Test
  void wrongPasswordIsAClearError() {
    StatusRuntimeException channel =
        callFails(channel().credentials("alice", "wrong"));
    assertUnavailableNaming(channel, broker.sslUri());
    assertTrue(channel.getStatus().getDescription().contains("Not authorized"),
        channel.getStatus().getDescription());

    IOException server =
        assertThrows(IOException.class, () -> TestTls.trusting(
            MqttServerBuilder.forBroker(broker.sslUri()), pki).credentials("grpc-server", "wrong")
            .addService(new TestServiceImpl()).build().start());
    assertTrue(server.getMessage().contains("cannot connect to MQTT broker " + broker.sslUri()),
        server.getMessage());
    assertTrue(server.getMessage().contains("Not authorized"), server.getMessage());
  }

  @Test
  void noCredentialsAreRefused() {
    StatusRuntimeException anonymous = callFails(channel());
    assertUnavailableNaming(anonymous, broker.sslUri());
    assertTrue(anonymous.getStatus().getDescription().contains("Not authorized"),
        anonymous.getStatus().getDescription());
  }

  @Test
  void afterABrokerRestartServerAndChannelReconnectWithTlsAndCredentials() throws Exception {
    try (SecureMosquitto own = SecureMosquitto.builder().tls(pki).user("grpc-server", "server-secret")
            .user("alice", "alice-secret").start();
        Endpoints e =
            new Endpoints(
                TestTls.trusting(MqttServerBuilder.forBroker(own.sslUri()), pki)
                    .credentials("grpc-server", "server-secret"),
                TestTls.trusting(MqttChannelBuilder.forBroker(own.sslUri()), pki)
                    .credentials("alice", "alice-secret"))) {
      assertEquals("before", e.blocking().unary(text("before")).getText());
      own.stop();
      own.start();
      // Anonymous or plaintext reconnects would be refused forever.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> e.blocking().unary(text("after")).getText().equals("after"));
    }
  }

  private static Request text(String text) {
    return Request.newBuilder().setText(text).build();
  }

  private static MqttChannelBuilder channel() {
    return TestTls.trusting(MqttChannelBuilder.forBroker(broker.sslUri()), pki);
  }
}
