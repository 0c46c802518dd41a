package io.grpcmqtt.mqtt;

/** A message that arrived on a subscription, and the means to acknowledge it. */
public interface MqttDelivery {
  MqttMessage message();

  /**
   * Sends the PUBACK of a QoS 1 message when the connection acknowledges manually ({@link
   * MqttConnectionConfig.Builder#manualAcknowledgement}); until then the broker counts it against
   * the connection's receive maximum. Call it once the message is safe (e.g. stored), from any
   * thread. Does nothing for QoS 0, with automatic acknowledgement, on a second call, or when the
   * connection that delivered the message has been lost meanwhile (the broker then resends it or
   * has dropped it with the session).
   */
  void acknowledge();
}
