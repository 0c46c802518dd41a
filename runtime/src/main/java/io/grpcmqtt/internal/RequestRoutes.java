package io.grpcmqtt.internal;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MappedService;
import io.grpcmqtt.mapper.table.MethodTable;
import io.grpcmqtt.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;

/**
 * Which topics a server subscribes to and which method a received topic addresses.
 *
 * <p>Services with a proto schema (generated code, or any {@code ServerServiceDefinition} whose
 * schema descriptor is a {@link ProtoServiceDescriptorSupplier}) go through a {@link
 * MethodTable}, so their {@code grpcmqtt} options apply: templated methods add their own
 * subscriptions, and their topics are matched to fill request fields. Every service keeps its
 * default filter {@code {prefix}/{package.Service}/+}, so default topics, and unknown methods
 * answered UNIMPLEMENTED, work exactly as without options.
 */
final class RequestRoutes {
  private final Topics topics;
  private final MethodTable table;
  /** Services known only by name: no schema, or only the fallback registry handles them. */
  private final List<String> unmapped;

  private RequestRoutes(Topics topics, MethodTable table, List<String> unmapped) {
    this.topics = topics;
    this.table = table;
    this.unmapped = unmapped;
  }

  /**
   * @throws IllegalArgumentException (a {@code MappingException}) when the services' options are
   *     invalid or collide, naming file, service, method and option
   */
  static RequestRoutes of(
      String prefix, List<ServerServiceDefinition> services, List<String> extraServiceNames) {
    List<ServiceDescriptor> described = new ArrayList<>();
    List<String> unmapped = new ArrayList<>();
    for (ServerServiceDefinition service : services) {
      Object schema = service.getServiceDescriptor().getSchemaDescriptor();
      if (schema instanceof ProtoServiceDescriptorSupplier supplier) {
        described.add(supplier.getServiceDescriptor());
      } else {
        unmapped.add(service.getServiceDescriptor().getName());
      }
    }
    unmapped.addAll(extraServiceNames);
    return new RequestRoutes(new Topics(prefix), MethodTable.build(prefix, described), unmapped);
  }

  /**
   * Request filters and their QoS, each shared in its service's group ({@code $share/...})
   * unless sharing is off.
   *
   * @param sharedGroup the server's group, or null when sharing is disabled (which no service
   *     option overrides)
   * @param qos the connection's QoS, for services and methods whose options set none
   */
  Map<String, Integer> subscriptions(@Nullable String sharedGroup, int qos) {
    return subscriptions(sharedGroup, qos, UnaryOperator.identity());
  }

  /**
   * {@link #subscriptions(String, int)} with each filter first turned into another that receives
   * the same requests in another form (the MQTT 3.1.1 binding's), in the same group and QoS.
   */
  Map<String, Integer> subscriptions(
      @Nullable String sharedGroup, int qos, UnaryOperator<String> form) {
    Map<String, Integer> filters = new LinkedHashMap<>();
    for (MappedService service : table.services()) {
      String group = sharedGroup == null ? null : service.sharedSubscriptionGroup().orElse(sharedGroup);
      int serviceQos = service.qos().orElse(qos);
      filters.put(shared(group, form.apply(service.defaultFilter())), serviceQos);
      for (MappedMethod method : service.methods()) {
        if (method.binding().isPresent()) {
          filters.put(shared(group, form.apply(method.subscriptionFilter())), method.qos().orElse(qos));
        }
      }
    }
    for (String service : unmapped) {
      filters.put(shared(sharedGroup, form.apply(topics.serviceFilter(service))), qos);
    }
    return filters;
  }

  private static String shared(@Nullable String group, String filter) {
    return group == null ? filter : "$share/" + group + "/" + filter;
  }

  /** A request on a method's topic-template filter that the template itself refuses. */
  record Mismatch(String fullMethodName, String reason) {}

  /**
   * For a topic {@link #route} finds no method for: the templated method whose subscription
   * filter received it and why its template refuses it (e.g. an empty level), or null.
   */
  @Nullable
  Mismatch mismatch(String topic) {
    for (MappedService service : table.services()) {
      for (MappedMethod method : service.methods()) {
        if (method.binding().isPresent()
            && MqttTopics.matches(method.subscriptionFilter(), topic)) {
          var template = method.binding().get().template();
          return new Mismatch(method.fullMethodName(), "topic '" + topic + "' does not fit the topic template '"
              + template + "' of " + method.fullMethodName() + ": "
              + template.mismatch(topic).orElse("no method takes it"));
        }
      }
    }
    return null;
  }

  /** The method a received request topic addresses, or null when it addresses none. */
  @Nullable
  RequestRoute route(String topic) {
    Optional<MethodTable.Route> route = table.route(topic);
    if (route.isPresent()) {
      MappedMethod method = route.get().method();
      return new RequestRoute(method.fullMethodName(), route.get().onTemplate() ? method : null, topic);
    }
    String fullMethodName = topics.methodOf(topic);
    return fullMethodName == null ? null : new RequestRoute(fullMethodName, null, topic);
  }
}
