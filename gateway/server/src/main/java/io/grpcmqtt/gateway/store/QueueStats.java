package io.grpcmqtt.gateway.store;

/**
 * One queue's figures at one moment, for operators.
 *
 * @param topic the queue
 * @param depth messages in it, visible or leased
 * @param leased messages handed out whose lease has not ended (in flight)
 * @param oldestCreatedMillis when its oldest message was appended (epoch ms)
 */
public record QueueStats(String topic, long depth, long leased, long oldestCreatedMillis) {}
