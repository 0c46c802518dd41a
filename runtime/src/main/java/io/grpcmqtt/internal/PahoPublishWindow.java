package io.grpcmqtt.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The publishes of one {@link PahoMqttConnection} in order, and how many QoS 1 ones the broker
 * holds unacknowledged. Paho throws (32202) instead of queueing once the broker's receive maximum
 * is in flight, so a publish beyond it waits here until a PUBACK frees a slot.
 *
 * <p>Bookkeeping only: it never calls Paho or a callback. Not thread-safe: its connection calls it
 * under its own lock.
 */
final class PahoPublishWindow {
  /** One publish, from {@link PahoMqttConnection#publish} to its outcome. */
  static final class Pending {
    final String topic;
    final byte[] payload;
    final int qos;
    final boolean retained;
    final MqttProperties properties;
    /** Hears the outcome once; never called under the connection's lock. */
    final TransportConnection.PublishCallback callback;
    /** The connection it was handed to; set under the connection's lock. */
    int generation;

    Pending(
        String topic,
        byte[] payload,
        int qos,
        boolean retained,
        MqttProperties properties,
        TransportConnection.PublishCallback callback) {
      this.topic = topic;
      this.payload = payload;
      this.qos = qos;
      this.retained = retained;
      this.properties = properties;
      this.callback = callback;
    }

    /** Paho's message, made for each attempt (a publish Paho refused is tried again). */
    MqttMessage toPaho() {
      MqttMessage m = new MqttMessage(payload);
      m.setQos(qos);
      m.setRetained(retained);
      m.setProperties(properties);
      return m;
    }
  }

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;
  /** The broker's receive maximum (CONNACK); HiveMQ CE's 10 until the first CONNACK says. */
  private int size = 10;

  /** A new connection: nothing of the lost one is in flight on it. */
  void opened(int receiveMaximum) {
    size = receiveMaximum;
    inFlight = 0;
  }

  void add(Pending p) {
    queue.add(p);
  }

  /**
   * The next publish the window lets out, counted as in flight (QoS 1 and 2), or null when the
   * queue is empty or the window is full.
   */
  @Nullable
  Pending next() {
    Pending p = queue.peek();
    if (p == null || (p.qos > 0 && inFlight >= size)) {
      return null;
    }
    queue.poll();
    if (p.qos > 0) {
      inFlight++;
    }
    return p;
  }

  /** {@code p} from {@link #next} was acknowledged, or not sent: its slot is free again. */
  void release(Pending p) {
    if (p.qos > 0) {
      inFlight--;
    }
  }

  /**
   * Paho refused {@code p} from {@link #next} because its own count was full (32202): first in
   * line again. True when no PUBACK is due to try it again, so the caller must, shortly.
   */
  boolean refused(Pending p) {
    release(p);
    queue.addFirst(p);
    return inFlight == 0;
  }

  /** Removes and returns every publish still waiting. */
  List<Pending> clear() {
    List<Pending> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }
}
