package io.grpcmqtt.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, or "development" when run from classes. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Version.class.getPackage().getImplementationVersion();
    return new String[] {
      "grpc-mqtt " + (version == null ? "(development build)" : version),
      "Java " + System.getProperty("java.version")
    };
  }
}
