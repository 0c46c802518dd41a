package io.grpcmqtt.cli;

/** Input the tool cannot use (a file, a method name, a request): exit code 2 and one line. */
final class CliException extends Exception {
  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
