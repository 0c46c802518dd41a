package io.grpcmqtt.mapper.table;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpcmqtt.mapper.template.TopicTemplate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The MQTT mapping of a set of services, built from their descriptors and {@code grpcmqtt}
 * options and checked as a whole: every option on its own, then every pair of methods whose
 * topics could collide. Servers route received topics through it; clients find each method's
 * request topic in it; the protoc plugin generates code and documents from it. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * MethodTable table = MethodTable.build("grpc", List.of(GreeterProto.getDescriptor().getServices().get(0)));
 * table.route("greeters/alice/hello")   // -> the method and whether its template matched
 * }</pre>
 */
public final class MethodTable {
  /** How a received topic reached a method. */
  public record Route(MappedMethod method, boolean onTemplate) {
    public Route {
      Objects.requireNonNull(method, "method");
    }
  }

  private final String prefix;
  private final List<MappedService> services;
  private final Map<String, MappedMethod> byName;
  private final Map<String, MappedMethod> byDefaultTopic;
  private final List<MappedMethod> templated;

  private MethodTable(String prefix, List<MappedService> services) {
    this.prefix = prefix;
    this.services = List.copyOf(services);
    Map<String, MappedMethod> names = new LinkedHashMap<>();
    Map<String, MappedMethod> topics = new LinkedHashMap<>();
    List<MappedMethod> withTemplate = new ArrayList<>();
    for (MappedService service : services) {
      for (MappedMethod method : service.methods()) {
        names.put(method.fullMethodName(), method);
        topics.put(method.defaultTopic(), method);
        if (method.binding().isPresent()) {
          withTemplate.add(method);
        }
      }
    }
    this.byName = Map.copyOf(names);
    this.byDefaultTopic = Map.copyOf(topics);
    this.templated = List.copyOf(withTemplate);
  }

  /**
   * Builds and checks the table.
   *
   * @param prefix the first topic level(s) of default and control topics, {@code grpc} unless
   *     configured otherwise; templates must not start with {@code {prefix}/_}
   * @throws MappingException listing every invalid option and collision
   * @throws IllegalArgumentException when two services have the same full name, or the prefix is
   *     not a literal topic
   */
  public static MethodTable build(String prefix, Collection<ServiceDescriptor> services) {
    Objects.requireNonNull(prefix, "prefix");
    checkPrefix(prefix);
    List<MappingProblem> problems = new ArrayList<>();
    List<ServiceCompiler.Templated> templated = new ArrayList<>();
    ServiceCompiler compiler = new ServiceCompiler(prefix, problems, templated);
    List<MappedService> compiled = new ArrayList<>();
    Map<String, ServiceDescriptor> seen = new LinkedHashMap<>();
    for (ServiceDescriptor service : services) {
      ServiceDescriptor previous = seen.put(service.getFullName(), service);
      if (previous != null) {
        throw new IllegalArgumentException("service " + service.getFullName() + " appears twice ("
            + previous.getFile().getName() + " and " + service.getFile().getName() + ")");
      }
      compiled.add(compiler.compile(service));
    }
    new Collisions(prefix, compiled, templated, problems).check();
    if (!problems.isEmpty()) {
      throw new MappingException(problems);
    }
    return new MethodTable(prefix, compiled);
  }

  /** {@link #build(String, Collection)} for one service. */
  public static MethodTable build(String prefix, ServiceDescriptor service) {
    return build(prefix, List.of(service));
  }

  private static void checkPrefix(String prefix) {
    TopicTemplate parsed;
    try {
      parsed = TopicTemplate.parse(prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid topic prefix '" + prefix + "': " + e.getMessage());
    }
    if (!parsed.variables().isEmpty() || !parsed.subscriptionFilter().equals(prefix)) {
      throw new IllegalArgumentException(
          "invalid topic prefix '" + prefix + "': it must be literal topic levels");
    }
  }

  /** The prefix of default and control topics. */
  public String prefix() {
    return prefix;
  }

  /** The services, in the order given. */
  public List<MappedService> services() {
    return services;
  }

  /** Every method, service by service, in proto order. */
  public List<MappedMethod> methods() {
    List<MappedMethod> all = new ArrayList<>();
    services.forEach(s -> all.addAll(s.methods()));
    return all;
  }

  /** The method named {@code package.Service/Method}. */
  public Optional<MappedMethod> method(String fullMethodName) {
    return Optional.ofNullable(byName.get(fullMethodName));
  }

  /**
   * The method a received topic name addresses: a default topic, else the method whose template
   * matches (at most one does: the table has no collisions).
   */
  public Optional<Route> route(String topic) {
    MappedMethod method = byDefaultTopic.get(topic);
    if (method != null) {
      return Optional.of(new Route(method, false));
    }
    for (MappedMethod candidate : templated) {
      if (candidate.binding().orElseThrow().template().match(topic).isPresent()) {
        return Optional.of(new Route(candidate, true));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "MethodTable" + services + " under '" + prefix + "'";
  }
}
