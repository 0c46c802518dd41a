package io.grpcmqtt.mqtt;

/**
 * What to do with the messages of a subscription. Runs on the connection's one delivery thread,
 * one message at a time, in the order they arrived: it must not block (hand slow work to an
 * executor, and acknowledge from there). An exception it throws is logged and the message is
 * acknowledged, so one bad message never stops delivery.
 */
@FunctionalInterface
public interface MqttMessageHandler {
  void onMessage(MqttDelivery delivery);
}
