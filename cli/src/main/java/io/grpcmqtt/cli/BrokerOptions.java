package io.grpcmqtt.cli;

import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import picocli.CommandLine.Option;

/** Where the broker is and how to talk to it; shared by every command that connects. */
final class BrokerOptions {
  @Option(
      names = {"-b", "--broker"},
      paramLabel = "URI",
      defaultValue = "tcp://127.0.0.1:1883",
      description = "MQTT 5 broker: tcp://, ssl://, ws:// or wss://host:port (default: ${DEFAULT-VALUE}).")
  String uri;

  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      defaultValue = "grpc",
      description = "First topic level(s) of every topic; servers and clients must agree (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--username", paramLabel = "NAME", description = "User name for the broker.")
  String username;

  @Option(
      names = "--password",
      paramLabel = "SECRET",
      description = "Password for the broker; default: the GRPC_MQTT_PASSWORD environment variable (a command line is visible to other users).",
      defaultValue = "${env:GRPC_MQTT_PASSWORD}")
  String password;

  MqttChannelBuilder channel() {
    MqttChannelBuilder builder = MqttChannelBuilder.forBroker(uri).topicPrefix(prefix);
    if (username != null || password != null) {
      builder.credentials(username, password);
    }
    return builder;
  }

  MqttServerBuilder server() {
    MqttServerBuilder builder = MqttServerBuilder.forBroker(uri).topicPrefix(prefix);
    if (username != null || password != null) {
      builder.credentials(username, password);
    }
    return builder;
  }

  /** The request topic of a method: {@code {prefix}/{package.Service}/{Method}}. */
  String requestTopic(String fullMethodName) {
    return prefix + "/" + fullMethodName;
  }

  /** The filter a server subscribes to for a service: {@code {prefix}/{package.Service}/+}. */
  String serviceFilter(String fullServiceName) {
    return prefix + "/" + fullServiceName + "/+";
  }
}
