package io.grpcmqtt.mapper.table;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One invalid mapping option, located as precisely as a user needs to fix it: the {@code .proto}
 * file, the service, the method (absent for service-level options) and the option.
 */
public final class MappingProblem {
  private final String file;
  private final String service;
  @Nullable private final String method;
  private final String option;
  private final String message;

  MappingProblem(
      String file, String service, @Nullable String method, String option, String message) {
    this.file = Objects.requireNonNull(file, "file");
    this.service = Objects.requireNonNull(service, "service");
    this.method = method;
    this.option = Objects.requireNonNull(option, "option");
    this.message = Objects.requireNonNull(message, "message");
  }

  /** The {@code .proto} file, as protoc names it (relative to its import root). */
  public String file() {
    return file;
  }

  /** The full service name, {@code package.Service}. */
  public String service() {
    return service;
  }

  /** The method's simple name, or null for a service-level option. */
  @Nullable
  public String method() {
    return method;
  }

  /** The option, e.g. {@code (grpcmqtt.method).topic}. */
  public String option() {
    return option;
  }

  /** What is wrong, without the location. */
  public String message() {
    return message;
  }

  /**
   * {@code file: service S, method M, option O: message} — the form protoc plugins and servers
   * print.
   */
  @Override
  public String toString() {
    return file + ": service " + service + (method == null ? "" : ", method " + method)
        + ", option " + option + ": " + message;
  }
}
