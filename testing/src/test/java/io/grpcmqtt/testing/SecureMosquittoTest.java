package io.grpcmqtt.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TLS, password and ACL set-ups of {@link SecureMosquitto}, through a plain Paho client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecureMosquittoTest {

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
    void writesPemFilesThatMosquittoLoads() throws Exception {
        assertTrue(Files.readString(pki.caCertificate()).startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(Files.readString(pki.serverKey()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(broker.log().contains("Opening ipv4 listen socket on port " + broker.sslPort()), broker.log());
    }

    @Test
    void tlsListenerAcceptsAClientTrustingTheTestCa() throws Exception {
        try (PahoProbe probe = PahoProbe.connect(broker.sslUri(), "pki-tls", tls(pki.trustingContext()))) {
            roundTrip(probe, "pki/tls");
        }
    }

    @Test
    void clientCertificateListenerNeedsTheCertificate() throws Exception {
        try (PahoProbe probe =
                PahoProbe.connect(broker.clientCertificateUri(), "pki-cert", tls(pki.clientCertificateContext()))) {
            roundTrip(probe, "pki/cert");
        }
        assertThrows(MqttException.class,
                () -> PahoProbe.connect(broker.clientCertificateUri(), "pki-nocert", tls(pki.trustingContext())).close());
    }

    @Test
    void misnamedCertificateFailsHostnameVerification() {
        MqttException e = assertThrows(MqttException.class,
                () -> PahoProbe.connect(broker.misnamedUri(), "pki-misnamed", tls(pki.trustingContext())).close());
        assertTrue(String.valueOf(e.getCause()).contains("127.0.0.1"), String.valueOf(e.getCause()));
    }

    @Test
    void passwordFileRefusesWrongPasswordsAndAnonymousClients() throws Exception {
        try (SecureMosquitto auth = SecureMosquitto.builder().user("alice", "right").user("bob", "other").start()) {
            MqttConnectionOptions right = PahoProbe.defaultOptions();
            right.setUserName("alice");
            right.setPassword("right".getBytes(StandardCharsets.UTF_8));
            try (PahoProbe probe = PahoProbe.connect(auth.uri(), "pw-right", right)) {
                roundTrip(probe, "pw/right");
            }
            MqttConnectionOptions wrong = PahoProbe.defaultOptions();
            wrong.setUserName("alice");
            wrong.setPassword("wrong".getBytes(StandardCharsets.UTF_8));
            MqttException refused =
                    assertThrows(MqttException.class, () -> PahoProbe.connect(auth.uri(), "pw-wrong", wrong).close());
            // Mosquitto 2.0 answers a wrong password with 0x87 (not authorized); others use 0x86.
            assertTrue(refused.getReasonCode() == 0x86 || refused.getReasonCode() == 0x87, refused.toString());
            assertThrows(MqttException.class, () -> PahoProbe.connect(auth.uri(), "pw-anon").close());
        }
    }

    private static MqttConnectionOptions tls(javax.net.ssl.SSLContext context) {
        MqttConnectionOptions options = PahoProbe.defaultOptions();
        options.setSocketFactory(context.getSocketFactory());
        return options;
    }

    private static void roundTrip(PahoProbe probe, String topic) throws Exception {
        probe.client.subscribe(topic, 1);
        probe.publish(topic, new MqttMessage("x".getBytes(StandardCharsets.UTF_8), 1, false, null));
        assertEquals(topic, probe.next().topic());
    }
}
