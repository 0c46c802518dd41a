package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.mqtt.MqttClientLibrary;
import io.grpcmqtt.mqtt.MqttConnection;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one option that picks the MQTT client library, on both builders and on a plain connection,
 * whatever the run's default is (the rest of the suite runs on that default).
 */
class MqttClientLibraryTest {

  @ParameterizedTest
  @EnumSource(MqttClientLibrary.class)
  void eitherLibraryCarriesEveryCallKindOnBothBrokers(MqttClientLibrary library) throws Exception {
    for (TestBroker broker : Brokers.both().toList()) {
      try (Endpoints e = new Endpoints(
          MqttServerBuilder.forBroker(broker.uri()).mqttClient(library),
          MqttChannelBuilder.forBroker(broker.uri()).mqttClient(library))) {
        e.smokeAllCallKinds();
      }
    }
  }

  @Test
  void aChannelAndAServerOfDifferentLibrariesTalk() throws Exception {
    try (Endpoints e = new Endpoints(
        MqttServerBuilder.forBroker(Brokers.hivemq().uri()).mqttClient(MqttClientLibrary.HIVEMQ),
        MqttChannelBuilder.forBroker(Brokers.hivemq().uri()).mqttClient(MqttClientLibrary.PAHO))) {
      e.smokeAllCallKinds();
    }
  }

  @Test
  void thePlainConnectionUsesTheConfiguredLibrary() throws Exception {
    for (MqttClientLibrary library : MqttClientLibrary.values()) {
      MqttConnectionConfig config =
          MqttConnectionConfig.builder(Brokers.hivemq().uri()).mqttClient(library).build();
      try (MqttConnection c = MqttConnection.connect(config)) {
        assertEquals(library, c.config().mqttClient());
        assertEquals(library == MqttClientLibrary.HIVEMQ ? "HiveMqttConnection" : "PahoMqttConnection",
            c.getClass().getSimpleName());
      }
    }
  }

  @Test
  void theHiveMqClientRefusesASocketFactoryNamingTheAlternative() {
    MqttConnectionConfig config = MqttConnectionConfig.builder(Brokers.hivemq().uri())
        .mqttClient(MqttClientLibrary.HIVEMQ).socketFactory(SocketFactory.getDefault()).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MqttConnection.connect(config));
    assertTrue(e.getMessage().contains("tls(trustManagerFactory, keyManagerFactory)"), e.getMessage());
  }

  @Test
  void theSystemPropertyIsCheckedAndNamed() {
    String before = System.getProperty(MqttClientLibrary.PROPERTY);
    try {
      System.setProperty(MqttClientLibrary.PROPERTY, " HiveMQ ");
      assertEquals(MqttClientLibrary.HIVEMQ, MqttClientLibrary.fromSystemProperty());
      System.setProperty(MqttClientLibrary.PROPERTY, "mosquitto");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, MqttClientLibrary::fromSystemProperty);
      assertTrue(e.getMessage().contains(MqttClientLibrary.PROPERTY), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(MqttClientLibrary.PROPERTY);
      } else {
        System.setProperty(MqttClientLibrary.PROPERTY, before);
      }
    }
  }
}
