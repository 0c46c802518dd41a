/**
 * Real MQTT 5 brokers for tests: the embedded HiveMQ CE of {@code grpc-mqtt-broker} and a Mosquitto
 * process, both on {@code 127.0.0.1} and a free port. Start at {@link io.grpcmqtt.testing.Brokers}.
 */
package io.grpcmqtt.testing;
