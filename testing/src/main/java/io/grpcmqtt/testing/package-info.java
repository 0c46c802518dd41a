/**
 * Real MQTT 5 brokers for tests: the embedded HiveMQ CE of {@code grpc-mqtt-broker} and Mosquitto
 * processes, all on {@code 127.0.0.1} and free ports. Start at {@link io.grpcmqtt.testing.Brokers};
 * {@link io.grpcmqtt.testing.SecureMosquitto} adds TLS (with a {@link io.grpcmqtt.testing.TestPki}
 * made at test time), passwords and ACLs.
 */
package io.grpcmqtt.testing;
