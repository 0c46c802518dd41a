/**
 * A plain MQTT 5 connection for code that talks to a broker directly rather than through gRPC:
 * publish with flow control, subscribe with handlers, reconnect and resubscribe.
 *
 * <pre>{@code
 * MqttConnectionConfig config = MqttConnectionConfig.builder("tcp://127.0.0.1:1883")
 *     .manualAcknowledgement(100)          // PUBACK only after the handler's work is done
 *     .build();
 * try (MqttConnection mqtt = MqttConnection.connect(config)) {
 *   mqtt.subscribe("$share/workers/jobs/#", 1, delivery -> pool.execute(() -> {
 *     store(delivery.message());
 *     delivery.acknowledge();
 *   }));
 *   mqtt.publish(MqttMessage.builder("jobs/1").payload(bytes).qos(1).build())
 *       .thenAccept(result -> log.info("PUBACK reason {}", result.reasonCode()));
 * }
 * }</pre>
 *
 * <p>The types here say nothing of the client library underneath ({@link
 * MqttConnection#connect} uses Eclipse Paho v5 by default, or the HiveMQ MQTT client: {@link
 * MqttClientLibrary}); grpc-mqtt's own channels and servers reach the broker through this same
 * interface. Messages are {@link MqttMessage}, validated when built, so nothing MQTT forbids ever
 * reaches the wire. What a connection does for its user, beyond the client library:
 *
 * <ul>
 *   <li><b>A publish window.</b> QoS 1 publishes beyond the broker's receive maximum wait, in
 *       order, until a PUBACK frees a slot (Paho alone throws instead; the HiveMQ client queues
 *       them itself); the future completes with the PUBACK's reason code.
 *   <li><b>Reconnect and resubscribe.</b> A lost connection is replaced by a fresh one (backing
 *       off from 1 s to 30 s), every subscription is made again, and publishes waiting in the
 *       window are sent on the new connection.
 *   <li><b>Bounded delivery.</b> With {@link MqttConnectionConfig.Builder#manualAcknowledgement}
 *       a QoS 1 message is acknowledged only when its handler says so, and the broker sends at
 *       most that many unacknowledged messages: a slow consumer slows the broker, not the heap.
 *   <li><b>TCP_NODELAY</b> on every socket (Nagle costs a round trip 40-90 ms; Netty, under the
 *       HiveMQ client, sets it itself).
 * </ul>
 */
package io.grpcmqtt.mqtt;
