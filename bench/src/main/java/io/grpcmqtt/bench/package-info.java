/**
 * The benchmark harness: grpc-mqtt measured against raw MQTT 5 request/response and
 * publish/subscribe (the floor) and against grpc-java over HTTP/2, on the embedded HiveMQ CE and
 * on Mosquitto. Run it with {@code java -jar bench/target/grpc-mqtt-bench.jar}; see
 * docs/benchmarks.md. The JMH microbenchmarks of package-private runtime classes live in {@code
 * io.grpcmqtt.internal} of this module, beside the classes they measure.
 */
package io.grpcmqtt.bench;
