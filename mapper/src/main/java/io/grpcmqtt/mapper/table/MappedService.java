package io.grpcmqtt.mapper.table;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javax.annotation.Nullable;

/** One service of a {@link MethodTable}, with its service-level options. Immutable. */
public final class MappedService {
  private final ServiceDescriptor descriptor;
  private final String defaultFilter;
  @Nullable private final String sharedSubscriptionGroup;
  @Nullable private final Integer qos;
  private final List<MappedMethod> methods = new ArrayList<>();
  private final List<MappedMethod> view = Collections.unmodifiableList(methods);

  MappedService(
      ServiceDescriptor descriptor,
      String defaultFilter,
      @Nullable String sharedSubscriptionGroup,
      @Nullable Integer qos) {
    this.descriptor = descriptor;
    this.defaultFilter = defaultFilter;
    this.sharedSubscriptionGroup = sharedSubscriptionGroup;
    this.qos = qos;
  }

  /** Only while the table is built; afterwards the list is never changed. */
  void add(MappedMethod method) {
    methods.add(method);
  }

  /** The proto service. */
  public ServiceDescriptor descriptor() {
    return descriptor;
  }

  /** {@code package.Service}. */
  public String name() {
    return descriptor.getFullName();
  }

  /** {@code {prefix}/{package.Service}/+}: receives the default topic of every method. */
  public String defaultFilter() {
    return defaultFilter;
  }

  /** The shared-subscription group from the options; empty means the server's. */
  public Optional<String> sharedSubscriptionGroup() {
    return Optional.ofNullable(sharedSubscriptionGroup);
  }

  /** The service's default QoS from the options; empty means the connection's. */
  public OptionalInt qos() {
    return qos == null ? OptionalInt.empty() : OptionalInt.of(qos);
  }

  /** The methods, in proto order. */
  public List<MappedMethod> methods() {
    return view;
  }

  @Override
  public String toString() {
    return name();
  }
}
