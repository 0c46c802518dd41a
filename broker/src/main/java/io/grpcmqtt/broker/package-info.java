/**
 * An embedded HiveMQ Community Edition broker configured for grpc-mqtt: see
 * {@link io.grpcmqtt.broker.EmbeddedBroker}.
 */
package io.grpcmqtt.broker;
