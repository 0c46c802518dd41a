/**
 * The benchmark harness: grpc-mqtt measured against raw MQTT 5 request/response and
 * publish/subscribe (the floor) and against grpc-java over HTTP/2, on the embedded HiveMQ CE and
 * on Mosquitto. Run it with {@code java -jar bench/target/grpc-mqtt-bench.jar}; see
 * docs/benchmarks.md. Like every module but the runtime, it uses the runtime's public API only; the
 * JMH microbenchmarks of the runtime's internals are in the runtime's test sources (run by its
 * {@code Microbenchmarks}), and {@code jmh} here runs those of public API.
 */
package io.grpcmqtt.bench;
