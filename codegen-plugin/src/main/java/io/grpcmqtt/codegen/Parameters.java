package io.grpcmqtt.codegen;

/**
 * The plugin's parameter string, {@code key=value} pairs separated by commas (protoc passes what
 * precedes the ':' of {@code --grpc-mqtt_out}).
 */
record Parameters(String prefix, boolean java, boolean asyncApi, String version) {

  static Parameters parse(String text) {
    String prefix = "grpc";
    boolean java = true;
    boolean asyncApi = true;
    String version = "0.0.0";
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = (eq < 0 ? pair : pair.substring(0, eq)).trim();
      String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
      switch (key) {
        case "prefix":
          prefix = value;
          break;
        case "java":
          java = bool(key, value);
          break;
        case "asyncapi":
          asyncApi = bool(key, value);
          break;
        case "version":
          version = value;
          break;
        default:
          throw new IllegalArgumentException("unknown parameter '" + key
              + "' (known: prefix, java, asyncapi, version)");
      }
    }
    return new Parameters(prefix, java, asyncApi, version);
  }

  private static boolean bool(String key, String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(
        "parameter '" + key + "' must be true or false, not '" + value + "'");
  }
}
