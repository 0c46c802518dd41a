package io.grpcmqtt.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A plain HiveMQ MQTT client (MQTT 5, async API) with no grpc-mqtt code: Netty's NODELAY
 * sockets, receive maximum 65,535, every message it receives handed to one handler on the
 * connection's Netty thread (as {@code HiveMqttConnection} does). The client queues QoS 1
 * publishes beyond the broker's receive maximum itself, so there is no retry here.
 */
final class RawHivemqClient implements RawMqtt {
  private final Mqtt5AsyncClient client;
  private final String id;
  private volatile Consumer<Received> handler = m -> {};

  RawHivemqClient(String uri, String role) throws Exception {
    id = "bench-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
    URI u = URI.create(uri);
    client = MqttClient.builder().useMqttVersion5().identifier(id)
        .serverHost(u.getHost()).serverPort(u.getPort()).buildAsync();
    // Registered before connecting and run on the Netty thread: no hand-off to another thread.
    client.publishes(MqttGlobalPublishFilter.ALL, this::arrived, Runnable::run);
    client.connectWith().cleanStart(true)
        .restrictions().receiveMaximum(65_535).applyRestrictions()
        .send().get(10, TimeUnit.SECONDS);
  }

  private void arrived(Mqtt5Publish p) {
    handler.accept(new Received() {
      @Override
      public byte[] payload() {
        return p.getPayloadAsBytes();
      }

      @Override
      public String responseTopic() {
        return p.getResponseTopic().map(Object::toString).orElse(null);
      }

      @Override
      public byte[] correlation() {
        return p.getCorrelationData().map(RawHivemqClient::bytes).orElse(null);
      }

      @Override
      public String userProperty(String key) {
        for (Mqtt5UserProperty u : p.getUserProperties().asList()) {
          if (u.getName().toString().equals(key)) {
            return u.getValue().toString();
          }
        }
        return null;
      }
    });
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void subscribe(String filter, int qos, Consumer<Received> handler) throws Exception {
    this.handler = handler;
    client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send()
        .get(10, TimeUnit.SECONDS);
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, String responseTopic,
      byte[] correlation, RawMqtt.Extras extras, Runnable sent, Consumer<Throwable> failed) {
    Mqtt5PublishBuilder.Complete b = Mqtt5Publish.builder().topic(topic)
        .qos(MqttQos.fromCode(qos)).payload(payload);
    if (responseTopic != null) {
      b = b.responseTopic(responseTopic);
    }
    if (correlation != null) {
      b = b.correlationData(correlation);
    }
    if (extras != null) {
      if (extras.expirySeconds() >= 0) {
        b = b.messageExpiryInterval(extras.expirySeconds());
      }
      List<String> kv = extras.userProperties();
      Mqtt5UserPropertiesBuilder user = Mqtt5UserProperties.builder();
      for (int i = 0; i + 1 < kv.size(); i += 2) {
        user = user.add(kv.get(i), kv.get(i + 1));
      }
      b = b.userProperties(user.build());
    }
    client.publish(b.build()).whenComplete((result, error) -> {
      Throwable e = error != null ? error : result.getError().orElse(null);
      if (e == null) {
        sent.run();
      } else {
        failed.accept(e);
      }
    });
  }

  @Override
  public void close() {
    try {
      client.disconnect().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the benchmark is over for this client either way
    }
  }
}
