package io.grpcmqtt;

import io.grpcmqtt.mqtt.MqttClientLibrary;
import io.grpcmqtt.testing.TestPki;

/**
 * TLS settings from the test PKI on a builder, in the form the run's MQTT client library takes:
 * an {@code SSLContext} for Paho (the form most users give), trust and key managers ({@code
 * tls(...)}) for the HiveMQ client, which takes no {@code SSLContext}.
 */
final class TestTls {
  private TestTls() {}

  static boolean paho() {
    return MqttClientLibrary.fromSystemProperty() == MqttClientLibrary.PAHO;
  }

  /** Trusts the test CA, presents no client certificate. */
  static MqttChannelBuilder trusting(MqttChannelBuilder b, TestPki pki) {
    return paho() ? b.sslContext(pki.trustingContext()) : b.tls(pki.trustManagers(), null);
  }

  static MqttServerBuilder trusting(MqttServerBuilder b, TestPki pki) {
    return paho() ? b.sslContext(pki.trustingContext()) : b.tls(pki.trustManagers(), null);
  }

  /** Trusts the test CA and presents the client certificate. */
  static MqttChannelBuilder withClientCertificate(MqttChannelBuilder b, TestPki pki) {
    return paho()
        ? b.sslContext(pki.clientCertificateContext())
        : b.tls(pki.trustManagers(), pki.clientKeyManagers());
  }

  static MqttServerBuilder withClientCertificate(MqttServerBuilder b, TestPki pki) {
    return paho()
        ? b.sslContext(pki.clientCertificateContext())
        : b.tls(pki.trustManagers(), pki.clientKeyManagers());
  }
}
