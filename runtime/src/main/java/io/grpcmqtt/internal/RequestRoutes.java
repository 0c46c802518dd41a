package io.grpcmqtt.internal;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MappedService;
import io.grpcmqtt.mapper.table.MethodTable;
import io.grpcmqtt.mapper.template.TopicTemplate;
import io.grpcmqtt.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <p>Each route is made once, with its method's registry entry: a request on a hosted method's
 * default topic is one map lookup, on a template one match of that template ({@link
 * RequestFilter#route}). Immutable, like the registry whose entries it holds.
 */
final class RequestRoutes {
  private final Topics topics;
  private final MethodTable table;
  /** Services known only by name: no schema, or only the fallback registry handles them. */
  private final List<String> unmapped;
  private final Map<String, MethodRegistry.Entry> entries;
  /** The route of each hosted (or mapped) method's default topic, by that topic. */
  private final Map<String, RequestRoute> byDefaultTopic;
  /** The route of each templated method's template, by full method name. */
  private final Map<String, RequestRoute> byTemplate;

  private RequestRoutes(
      Topics topics, MethodTable table, List<String> unmapped,
      Map<String, MethodRegistry.Entry> entries) {
    this.topics = topics;
    this.table = table;
    this.unmapped = unmapped;
    this.entries = entries;
    Map<String, RequestRoute> defaults = new HashMap<>();
    Map<String, RequestRoute> templates = new HashMap<>();
    for (MappedMethod method : table.methods()) {
      String name = method.fullMethodName();
      defaults.put(method.defaultTopic(), new RequestRoute(name, null, entries.get(name)));
      if (method.binding().isPresent()) {
        templates.put(name, new RequestRoute(name, method, entries.get(name)));
      }
    }
    for (Map.Entry<String, MethodRegistry.Entry> e : entries.entrySet()) {
      String topic = topics.request(e.getKey());
      // A method without a schema: its default topic, unless a template takes that topic (the
      // table routes first, as route() does on a miss).
      if (!defaults.containsKey(topic) && table.route(topic).isEmpty()) {
        defaults.put(topic, new RequestRoute(e.getKey(), null, e.getValue()));
      }
    }
    this.byDefaultTopic = Map.copyOf(defaults);
    this.byTemplate = Map.copyOf(templates);
  }

  /**
   * @param entries the registry's entries by full method name, which the routes hold
   * @throws IllegalArgumentException (a {@code MappingException}) when the services' options are
   *     invalid or collide, naming file, service, method and option
   */
  static RequestRoutes of(
      String prefix, List<ServerServiceDefinition> services, List<String> extraServiceNames,
      Map<String, MethodRegistry.Entry> entries) {
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
    return new RequestRoutes(
        new Topics(prefix), MethodTable.build(prefix, described), unmapped, entries);
  }

  /**
   * One request subscription: its filter ({@code $share/...} unless sharing is off), QoS, and
   * how a topic it receives finds its route. A template's filter first tries that template.
   */
  static final class RequestFilter {
    final String filter;
    final int qos;
    private final RequestRoutes routes;
    /** The route of the template this filter was made for; null for a service's filter. */
    @Nullable private final RequestRoute templateRoute;
    @Nullable private final TopicTemplate template;

    private RequestFilter(
        String filter, int qos, RequestRoutes routes, @Nullable MappedMethod templated) {
      this.filter = filter;
      this.qos = qos;
      this.routes = routes;
      this.template = templated == null ? null : templated.binding().orElseThrow().template();
      this.templateRoute =
          templated == null ? null : routes.byTemplate.get(templated.fullMethodName());
    }

    /**
     * The route of a topic this filter received (for the MQTT 3.1.1 binding: of the request
     * topic in it), or null when it addresses no method ({@link RequestRoutes#mismatch} may say
     * why). The same route {@link RequestRoutes#route} finds: templates do not overlap each
     * other or the default topics (the table refuses that), so the filter's own template, when
     * it matches, is the one.
     */
    @Nullable
    RequestRoute route(String topic) {
      if (template != null && template.match(topic).isPresent()) {
        return templateRoute;
      }
      return routes.route(topic);
    }

    @Override
    public String toString() {
      return filter;
    }
  }

  /**
   * The request subscriptions, in the order made: per service its default filter, then its
   * templates' filters; then the services known by name only. Each filter is shared in its
   * service's group ({@code $share/...}) unless sharing is off, and is first turned by {@code
   * form} into another that receives the same requests in another form (the MQTT 3.1.1
   * binding's), in the same group and QoS; {@code UnaryOperator.identity()} for MQTT 5.
   *
   * @param sharedGroup the server's group, or null when sharing is disabled (which no service
   *     option overrides)
   * @param qos the connection's QoS, for services and methods whose options set none
   */
  List<RequestFilter> filters(
      @Nullable String sharedGroup, int qos, UnaryOperator<String> form) {
    Map<String, RequestFilter> filters = new LinkedHashMap<>();
    for (MappedService service : table.services()) {
      String group = sharedGroup == null ? null : service.sharedSubscriptionGroup().orElse(sharedGroup);
      int serviceQos = service.qos().orElse(qos);
      add(filters, shared(group, form.apply(service.defaultFilter())), serviceQos, null);
      for (MappedMethod method : service.methods()) {
        if (method.binding().isPresent()) {
          add(filters, shared(group, form.apply(method.subscriptionFilter())),
              method.qos().orElse(qos), method);
        }
      }
    }
    for (String service : unmapped) {
      add(filters, shared(sharedGroup, form.apply(topics.serviceFilter(service))), qos, null);
    }
    return new ArrayList<>(filters.values());
  }

  private void add(
      Map<String, RequestFilter> filters, String filter, int qos, @Nullable MappedMethod templated) {
    filters.put(filter, new RequestFilter(filter, qos, this, templated));
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

  /**
   * The route of a received request topic, or null when it addresses no method: a default topic
   * (a map lookup), else the template that matches, else, for a topic of the default form, a
   * method the registry does not know (gRPC answers it UNIMPLEMENTED, or its fallback registry).
   */
  @Nullable
  RequestRoute route(String topic) {
    RequestRoute route = byDefaultTopic.get(topic);
    if (route != null) {
      return route;
    }
    Optional<MethodTable.Route> mapped = table.route(topic);
    if (mapped.isPresent()) {
      MappedMethod method = mapped.get().method();
      return mapped.get().onTemplate()
          ? byTemplate.get(method.fullMethodName())
          : byDefaultTopic.get(method.defaultTopic());
    }
    String fullMethodName = topics.methodOf(topic);
    return fullMethodName == null
        ? null
        : new RequestRoute(fullMethodName, null, entries.get(fullMethodName));
  }
}
