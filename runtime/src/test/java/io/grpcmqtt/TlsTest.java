package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.SecureMosquitto;
import io.grpcmqtt.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS to the broker: a Mosquitto TLS listener with a CA, broker and client certificates made at
 * test time. What is verified: the broker's certificate chain against the trust material of the
 * {@code SSLContext}, and the broker URI's host against the certificate's subject alternative names
 * (Paho's default HTTPS endpoint identification); with {@code require_certificate}, the client's
 * certificate by the broker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTest {
  private static TestPki pki;
  private static SecureMosquitto broker;

  @BeforeAll
  static void start() {
    pki = TestPki.generate();
    broker = SecureMosquitto.builder().tls(pki).start();
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
  void everyCallKindOverTls() throws Exception {
    try (Endpoints e =
        new Endpoints(
            // Trust managers, which every MQTT client library takes (the rest use TestTls).
            MqttServerBuilder.forBroker(broker.sslUri()).tls(pki.trustManagers(), null),
            MqttChannelBuilder.forBroker(broker.sslUri()).tls(pki.trustManagers(), null))) {
      e.smokeAllCallKinds();
    }
  }

  @Test
  void hostNameInTheUriIsCheckedAgainstTheCertificate() throws Exception {
    // The certificate names IP 127.0.0.1 and DNS localhost: both forms of the URI are accepted.
    String byName = "ssl://localhost:" + broker.sslPort();
    try (Endpoints e =
        new Endpoints(
            TestTls.trusting(MqttServerBuilder.forBroker(byName), pki),
            TestTls.trusting(MqttChannelBuilder.forBroker(byName), pki))) {
      assertEquals("n", e.blocking().unary(Request.newBuilder().setText("n").build()).getText());
    }

    // A certificate of the trusted CA that names another host is refused.
    StatusRuntimeException misnamed =
        callFails(TestTls.trusting(MqttChannelBuilder.forBroker(broker.misnamedUri()), pki));
    assertUnavailableNaming(misnamed, broker.misnamedUri());
    assertTrue(causes(misnamed).contains("No subject alternative names matching IP address 127.0.0.1"),
        causes(misnamed));

    IOException serverMisnamed =
        assertThrows(IOException.class, () -> TestTls.trusting(
            MqttServerBuilder.forBroker(broker.misnamedUri()), pki)
            .addService(new TestServiceImpl()).build().start());
    assertTrue(serverMisnamed.getMessage().contains(broker.misnamedUri()), serverMisnamed.getMessage());
  }

  @Test
  void brokerOfAnUntrustedCaIsRefused() {
    // No sslContext: the JDK's default trust store, which does not know the test CA.
    StatusRuntimeException e = callFails(MqttChannelBuilder.forBroker(broker.sslUri()));
    assertUnavailableNaming(e, broker.sslUri());
    assertTrue(causes(e).contains("PKIX path building failed"), causes(e));
  }

  @Test
  void clientCertificateAuthenticatesChannelAndServer() throws Exception {
    String uri = broker.clientCertificateUri();
    try (Endpoints e =
        new Endpoints(
            TestTls.withClientCertificate(MqttServerBuilder.forBroker(uri), pki),
            TestTls.withClientCertificate(MqttChannelBuilder.forBroker(uri), pki))) {
      e.smokeAllCallKinds();
    }
    assertTrue(broker.log().contains("u'" + TestPki.CLIENT_COMMON_NAME + "'"),
        "Mosquitto took the certificate's common name as the username");
  }

  @Test
  void withoutAClientCertificateTheBrokerRefuses() {
    String uri = broker.clientCertificateUri();
    StatusRuntimeException channel =
        callFails(TestTls.trusting(MqttChannelBuilder.forBroker(uri), pki));
    assertUnavailableNaming(channel, uri);
    // TLS 1.3: "Received fatal alert: certificate_required" once the handshake is over.
    assertTrue(channel.getStatus().getDescription().contains("certificate"),
        channel.getStatus().getDescription());

    IOException server =
        assertThrows(IOException.class, () -> TestTls.trusting(MqttServerBuilder.forBroker(uri), pki)
            .addService(new TestServiceImpl()).build().start());
    assertTrue(server.getMessage().contains("cannot connect to MQTT broker " + uri), server.getMessage());
  }

  @Test
  void tlsSocketsHaveNagleSwitchedOff() throws Exception {
    // Only Paho takes a socket factory; Netty, under the HiveMQ client, sets TCP_NODELAY itself.
    org.junit.jupiter.api.Assumptions.assumeTrue(TestTls.paho(), "a SocketFactory is Paho's");
    RecordingFactory serverSockets = new RecordingFactory(pki.trustingContext());
    RecordingFactory channelSockets = new RecordingFactory(pki.trustingContext());
    try (Endpoints e =
        new Endpoints(
            MqttServerBuilder.forBroker(broker.sslUri()).socketFactory(serverSockets),
            MqttChannelBuilder.forBroker(broker.sslUri()).socketFactory(channelSockets))) {
      e.blocking().unary(Request.newBuilder().setText("x").build());
      for (RecordingFactory sockets : List.of(serverSockets, channelSockets)) {
        assertFalse(sockets.created.isEmpty());
        for (Socket s : sockets.created) {
          assertTrue(s instanceof SSLSocket && s.isConnected(), String.valueOf(s));
          assertTrue(s.getTcpNoDelay(), "TCP_NODELAY on " + s);
        }
      }
    }
  }

  /** Makes one call on a channel from {@code builder}, which must fail; returns the failure. */
  static StatusRuntimeException callFails(MqttChannelBuilder builder) {
    io.grpc.ManagedChannel channel = builder.connectTimeout(java.time.Duration.ofSeconds(5)).build();
    try {
      return assertThrows(StatusRuntimeException.class, () -> io.grpcmqtt.test.v1.TestServiceGrpc
          .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .unary(Request.newBuilder().setText("refused").build()));
    } finally {
      channel.shutdownNow();
    }
  }

  static void assertUnavailableNaming(StatusRuntimeException e, String uri) {
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    assertTrue(e.getStatus().getDescription().contains(uri), e.getStatus().getDescription());
  }

  static String causes(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      all.append(c).append('\n');
    }
    return all.toString();
  }

  /** An SSLSocketFactory that remembers the sockets it made. */
  static final class RecordingFactory extends SSLSocketFactory {
    final List<Socket> created = new CopyOnWriteArrayList<>();
    private final SSLSocketFactory delegate;

    RecordingFactory(SSLContext context) {
      this.delegate = context.getSocketFactory();
    }

    private Socket record(Socket s) {
      created.add(s);
      return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return record(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return record(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return record(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return record(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return record(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return record(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
