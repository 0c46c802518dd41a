/**
 * The MQTT 3.1.1 binding's topic layout: how a client without MQTT 5 properties names the method,
 * its request id, where its reply goes and the payload format, all in topic levels (see {@link
 * io.grpcmqtt.mapper.mqtt311.Mqtt311Topics} and docs/protocol.md §14).
 */
package io.grpcmqtt.mapper.mqtt311;
