package io.grpcmqtt.mapper.table;

import io.grpcmqtt.mapper.template.Segment;
import io.grpcmqtt.mapper.template.TemplateOverlap;
import io.grpcmqtt.mapper.template.TopicTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * Finds topics that two things of one table would both receive, which would make a request run
 * in the wrong method or twice: two templates, a template and a service's default topics, a
 * template and grpc-mqtt's control topics.
 *
 * <p>Besides the templates themselves it checks what their subscription filters add: {@code a/#}
 * (from {@code a/{x=**}}) also receives {@code a}, so the "parent" of a multi-level template must
 * not be anybody's topic either.
 */
final class Collisions {
  private final String prefix;
  private final List<MappedService> services;
  private final List<ServiceCompiler.Templated> templated;
  private final List<MappingProblem> problems;

  Collisions(
      String prefix,
      List<MappedService> services,
      List<ServiceCompiler.Templated> templated,
      List<MappingProblem> problems) {
    this.prefix = prefix;
    this.services = services;
    this.templated = templated;
    this.problems = problems;
  }

  void check() {
    List<TopicTemplate> control = controlTopics();
    for (int i = 0; i < templated.size(); i++) {
      ServiceCompiler.Templated mine = templated.get(i);
      TopicTemplate template = mine.method().binding().orElseThrow().template();
      if (againstControl(mine, template, control) || againstDefaults(mine, template)) {
        continue;
      }
      for (int j = 0; j < i; j++) {
        if (againstMethod(mine, template, templated.get(j))) {
          break;
        }
      }
    }
  }

  private boolean againstControl(
      ServiceCompiler.Templated mine, TopicTemplate template, List<TopicTemplate> control) {
    for (TopicTemplate topic : control) {
      if (report(mine, template, topic, "grpc-mqtt's control topics " + ServiceCompiler.quote(topic))) {
        return true;
      }
    }
    return false;
  }

  private boolean againstDefaults(ServiceCompiler.Templated mine, TopicTemplate template) {
    for (MappedService service : services) {
      TopicTemplate defaults = TopicTemplate.parse(prefix + "/" + service.name() + "/{Method}");
      if (report(mine, template, defaults, "the default topics " + ServiceCompiler.quote(defaults)
          + " of service " + service.name())) {
        return true;
      }
    }
    return false;
  }

  private boolean againstMethod(
      ServiceCompiler.Templated mine, TopicTemplate template, ServiceCompiler.Templated other) {
    MappedMethod method = other.method();
    TopicTemplate theirs = method.binding().orElseThrow().template();
    String what = "the topic template " + ServiceCompiler.quote(theirs) + " of method "
        + method.fullMethodName() + " (" + method.descriptor().getFile().getName() + ")";
    if (report(mine, template, theirs, what)) {
      return true;
    }
    // Their '#' filter may reach our parent-free topics too.
    TopicTemplate theirParent = parentOf(theirs);
    if (theirParent != null) {
      Optional<String> topic = TemplateOverlap.exampleTopic(template, theirParent);
      if (topic.isPresent()) {
        add(mine, "topic template " + ServiceCompiler.quote(template) + " matches topic "
            + ServiceCompiler.quote(topic.get()) + ", which the subscription filter "
            + ServiceCompiler.quote(theirs.subscriptionFilter()) + " of method "
            + method.fullMethodName() + " (" + method.descriptor().getFile().getName()
            + ") also receives");
        return true;
      }
    }
    return false;
  }

  /** Reports {@code template} (and its filter's parent level) meeting {@code other}. */
  private boolean report(
      ServiceCompiler.Templated mine, TopicTemplate template, TopicTemplate other, String what) {
    Optional<String> topic = TemplateOverlap.exampleTopic(template, other);
    if (topic.isPresent()) {
      add(mine, "topic template " + ServiceCompiler.quote(template) + " overlaps " + what
          + ": both match topic " + ServiceCompiler.quote(topic.get()));
      return true;
    }
    TopicTemplate parent = parentOf(template);
    if (parent != null) {
      topic = TemplateOverlap.exampleTopic(parent, other);
      if (topic.isPresent()) {
        add(mine, "subscription filter " + ServiceCompiler.quote(template.subscriptionFilter())
            + " of topic template " + ServiceCompiler.quote(template) + " also receives topic "
            + ServiceCompiler.quote(topic.get()) + ", which matches " + what);
        return true;
      }
    }
    return false;
  }

  private void add(ServiceCompiler.Templated mine, String message) {
    MappedMethod method = mine.method();
    problems.add(new MappingProblem(method.descriptor().getFile().getName(), method.service().name(),
        method.descriptor().getName(), mine.option(), message));
  }

  /**
   * The template without its trailing {@code {x=**}}, whose {@code #} filter also receives that
   * level; null when there is no such parent.
   */
  @Nullable
  static TopicTemplate parentOf(TopicTemplate template) {
    List<Segment> segments = template.segments();
    Segment last = segments.get(segments.size() - 1);
    if (segments.size() < 2 || !(last instanceof Segment.Variable v && v.multiLevel())) {
      return null;
    }
    String text = template.toString();
    return TopicTemplate.parse(text.substring(0, text.lastIndexOf('/')));
  }

  private List<TopicTemplate> controlTopics() {
    List<TopicTemplate> topics = new ArrayList<>();
    for (String topic : List.of("_reply/{client}", "_server/{server}", "_cancel",
        "_status/client/{client}", "_status/server/{server}")) {
      topics.add(TopicTemplate.parse(prefix + "/" + topic));
    }
    return topics;
  }
}
