package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MappedService;
import io.grpcmqtt.mapper.table.MethodTable;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The topics servers subscribe to and clients publish to for the given services: the default
 * ones and those of {@code grpcmqtt/options.proto} templates, as the runtime routes them.
 */
final class Mappings {
  private final MethodTable table;

  private Mappings(MethodTable table) {
    this.table = table;
  }

  /** The mapping of {@code services}; invalid options are a CLI error naming each problem. */
  static Mappings of(String prefix, Collection<ServiceDescriptor> services) throws CliException {
    try {
      return new Mappings(MethodTable.build(prefix, services));
    } catch (IllegalArgumentException e) {
      // MappingException's message names file, service, method and option of every problem.
      throw new CliException("invalid topic mapping: " + e.getMessage(), e);
    }
  }

  /** How {@code service} is mapped: its methods, shared subscription group, QoS. */
  MappedService mapped(ServiceDescriptor service) {
    return table.services().stream()
        .filter(s -> s.descriptor().getFullName().equals(service.getFullName()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("not in the mapping: " + service.getFullName()));
  }

  /** Every filter a server of {@code service} subscribes to, the default one first. */
  List<String> filters(ServiceDescriptor service) {
    MappedService mapped = mapped(service);
    Set<String> filters = new LinkedHashSet<>();
    filters.add(mapped.defaultFilter());
    for (MappedMethod m : mapped.methods()) {
      filters.add(m.subscriptionFilter());
    }
    return List.copyOf(filters);
  }

  /** The default request topic of {@code method}. */
  String defaultTopic(MethodDescriptor method) {
    return mapped(method).defaultTopic();
  }

  /** The topic template of {@code method} from its options; {@code null} when it has none. */
  String template(MethodDescriptor method) {
    return mapped(method).binding().map(b -> b.template().toString()).orElse(null);
  }

  /** The request field a raw payload on the template's topics fills; {@code null} for all. */
  String body(MethodDescriptor method) {
    return mapped(method).bodyField().map(f -> f.getName()).orElse(null);
  }

  /** The topic layout of the MQTT 3.1.1 binding under the same prefix. */
  Mqtt311Topics mqtt311() {
    return new Mqtt311Topics(table.prefix());
  }

  /** How {@code method} is mapped: topics, body field, QoS, timeout, idempotency. */
  MappedMethod mapped(MethodDescriptor method) {
    String full = method.getService().getFullName() + "/" + method.getName();
    return table.method(full)
        .orElseThrow(() -> new IllegalStateException("not in the mapping: " + full));
  }
}
