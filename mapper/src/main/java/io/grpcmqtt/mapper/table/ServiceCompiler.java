package io.grpcmqtt.mapper.table;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpcmqtt.mapper.template.Segment;
import io.grpcmqtt.mapper.template.TemplateBinding;
import io.grpcmqtt.mapper.template.TemplateException;
import io.grpcmqtt.mapper.template.TopicTemplate;
import io.grpcmqtt.options.MethodMapping;
import io.grpcmqtt.options.ServiceMapping;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Turns one service's descriptor and options into a {@link MappedService}, checking each option
 * on its own (collisions between methods are {@link Collisions}' job). Problems are collected, not
 * thrown, so one build reports all of them.
 */
final class ServiceCompiler {
  static final String TOPIC_PREFIX = MappingOptions.SERVICE + ".topic_prefix";
  static final String SERVICE_QOS = MappingOptions.SERVICE + ".qos";
  static final String GROUP = MappingOptions.SERVICE + ".shared_subscription_group";
  static final String TOPIC = MappingOptions.METHOD + ".topic";
  static final String BODY = MappingOptions.METHOD + ".body";
  static final String METHOD_QOS = MappingOptions.METHOD + ".qos";
  static final String TIMEOUT = MappingOptions.METHOD + ".timeout";

  /** A compiled templated method and the option its template came from, for later messages. */
  record Templated(MappedMethod method, String option) {}

  private final String prefix;
  private final Set<String> reservedPrefixes;
  private final List<MappingProblem> problems;
  private final List<Templated> templated;

  ServiceCompiler(String prefix, List<MappingProblem> problems, List<Templated> templated) {
    this.prefix = prefix;
    this.reservedPrefixes = Set.of(prefix + "/_");
    this.problems = problems;
    this.templated = templated;
  }

  MappedService compile(ServiceDescriptor descriptor) {
    ServiceMapping options = MappingOptions.of(descriptor);
    Integer qos = options.hasQos() ? qos(descriptor, null, SERVICE_QOS, options.getQos()) : null;
    String group = options.getSharedSubscriptionGroup();
    if (!group.isEmpty() && (group.contains("/") || group.contains("+") || group.contains("#"))) {
      problem(descriptor, null, GROUP, "shared subscription group '" + group
          + "' must not contain '/', '+' or '#'");
    }
    MappedService service = new MappedService(
        descriptor, prefix + "/" + descriptor.getFullName() + "/+", group.isEmpty() ? null : group,
        qos);
    String topicPrefix = options.getTopicPrefix();
    boolean prefixUsable = true;
    if (!topicPrefix.isEmpty()) {
      try {
        TopicTemplate.parse(topicPrefix);
      } catch (TemplateException e) {
        problem(descriptor, null, TOPIC_PREFIX, e.getMessage());
        prefixUsable = false;
      }
    }
    for (MethodDescriptor method : descriptor.getMethods()) {
      compileMethod(service, method, topicPrefix, prefixUsable);
    }
    return service;
  }

  private void compileMethod(
      MappedService service, MethodDescriptor method, String topicPrefix, boolean prefixUsable) {
    MethodMapping options = MappingOptions.of(method);
    String templateText = null;
    String templateOption = null;
    if (!options.getTopic().isEmpty()) {
      templateText = topicPrefix.isEmpty() ? options.getTopic() : topicPrefix + "/" + options.getTopic();
      templateOption = TOPIC;
    } else if (!topicPrefix.isEmpty()) {
      templateText = topicPrefix + "/" + method.getName();
      templateOption = TOPIC_PREFIX;
    }
    // An unusable template leaves the method on its default topic; the problem fails the table.
    TemplateBinding binding =
        templateText != null && prefixUsable ? binding(method, templateText, templateOption) : null;
    FieldDescriptor body = body(method, options.getBody(), templateText != null, binding);
    Integer qos = options.hasQos()
        ? qos(method.getService(), method, METHOD_QOS, options.getQos())
        : service.qos().isPresent() ? service.qos().getAsInt() : null;
    Duration timeout = options.hasTimeout() ? timeout(method, options.getTimeout()) : null;
    MappedMethod mapped = new MappedMethod(
        service, method, prefix + "/" + service.name() + "/" + method.getName(),
        binding, body, qos, timeout, options.getIdempotent());
    service.add(mapped);
    if (binding != null) {
      templated.add(new Templated(mapped, templateOption));
    }
  }

  @Nullable
  private TemplateBinding binding(MethodDescriptor method, String text, String option) {
    TopicTemplate template;
    try {
      template = TopicTemplate.parse(text);
      template.validate(reservedPrefixes);
    } catch (TemplateException e) {
      problem(method.getService(), method, option, e.getMessage());
      return null;
    }
    for (Segment segment : template.segments()) {
      if (segment instanceof Segment.Wildcard) {
        problem(method.getService(), method, option, "topic template " + quote(template)
            + ": '*' binds no request field, so a client cannot build the topic; bind the level"
            + " to a field instead, as in {field}");
        return null;
      }
    }
    if (method.isClientStreaming() && !template.variables().isEmpty()) {
      problem(method.getService(), method, option, "topic template " + quote(template)
          + " binds request fields, but a " + kind(method) + " method publishes its topic before"
          + " any request message; use a template without variables");
      return null;
    }
    try {
      return TemplateBinding.compile(template, method.getInputType());
    } catch (TemplateException e) {
      problem(method.getService(), method, option, e.getMessage());
      return null;
    }
  }

  @Nullable
  private FieldDescriptor body(
      MethodDescriptor method, String body, boolean hasTemplate, @Nullable TemplateBinding binding) {
    if (body.isEmpty() || body.equals("*")) {
      return null;
    }
    ServiceDescriptor service = method.getService();
    if (!hasTemplate) {
      problem(service, method, BODY, "body '" + body + "' needs a topic template: on the default"
          + " topic the payload is always the whole request message");
      return null;
    }
    if (method.isClientStreaming()) {
      problem(service, method, BODY, "body '" + body + "' needs a request message in the first"
          + " PUBLISH, which a " + kind(method) + " method does not send; use '*'");
      return null;
    }
    Descriptor request = method.getInputType();
    FieldDescriptor field = request.findFieldByName(body);
    String which = "field '" + body + "' of " + request.getFullName();
    if (field == null) {
      problem(service, method, BODY, "message " + request.getFullName() + " has no field '" + body
          + "'");
      return null;
    }
    if (field.isRepeated()) {
      problem(service, method, BODY, which + " is " + (field.isMapField() ? "a map" : "repeated")
          + "; the body must be a singular bytes or string field");
      return null;
    }
    if (field.getJavaType() != FieldDescriptor.JavaType.BYTE_STRING
        && field.getJavaType() != FieldDescriptor.JavaType.STRING) {
      problem(service, method, BODY, which + " is "
          + field.getType().name().toLowerCase(java.util.Locale.ROOT)
          + "; the body must be a bytes or string field");
      return null;
    }
    if (binding != null && binding.template().variables().contains(body)) {
      problem(service, method, BODY, which + " is bound in topic template "
          + quote(binding.template()) + ", so it cannot also be the body");
      return null;
    }
    return field;
  }

  @Nullable
  private Integer qos(
      ServiceDescriptor service, @Nullable MethodDescriptor method, String option, int qos) {
    if (qos == 0 || qos == 1) {
      return qos;
    }
    problem(service, method, option, "QoS " + qos + " is not supported: use 0 or 1");
    return null;
  }

  @Nullable
  private Duration timeout(MethodDescriptor method, com.google.protobuf.Duration timeout) {
    boolean positive = timeout.getSeconds() >= 0 && timeout.getNanos() >= 0
        && timeout.getNanos() < 1_000_000_000 && (timeout.getSeconds() > 0 || timeout.getNanos() > 0);
    if (!positive) {
      problem(method.getService(), method, TIMEOUT, "timeout must be positive, not "
          + timeout.getSeconds() + "s " + timeout.getNanos() + "ns");
      return null;
    }
    return Duration.ofSeconds(timeout.getSeconds(), timeout.getNanos());
  }

  private void problem(
      ServiceDescriptor service, @Nullable MethodDescriptor method, String option, String message) {
    problems.add(new MappingProblem(service.getFile().getName(), service.getFullName(),
        method == null ? null : method.getName(), option, message));
  }

  static String kind(MethodDescriptor method) {
    return method.isServerStreaming() ? "bidi-streaming" : "client-streaming";
  }

  static String quote(Object template) {
    return "\"" + template + "\"";
  }
}
