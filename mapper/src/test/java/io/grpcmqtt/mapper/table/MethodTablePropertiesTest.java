package io.grpcmqtt.mapper.table;

import static io.grpcmqtt.mapper.table.TestServices.service;
import static io.grpcmqtt.mapper.table.TestServices.table;
import static io.grpcmqtt.mapper.table.TestServices.topic;
import static io.grpcmqtt.mapper.table.TestServices.unary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpcmqtt.mapper.table.testproto.Reading;
import io.grpcmqtt.mapper.table.testproto.TableTestProto;
import io.grpcmqtt.mapper.template.Segment;
import io.grpcmqtt.mapper.template.TopicTemplate;
import io.grpcmqtt.mapper.template.MqttFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

class MethodTablePropertiesTest {
  private static final MethodTable TELEMETRY = MethodTable.build("grpc",
      TableTestProto.getDescriptor().findServiceByName("Telemetry"));
  private static final MappedMethod PUBLISH =
      TELEMETRY.method("grpcmqtt.mapper.table.test.Telemetry/Publish").orElseThrow();

  /** Level values: plain text, non-ASCII, and characters that mean something elsewhere. */
  private static Arbitrary<String> level() {
    return Arbitraries.of("a", "b", "-", "_", ".", "$", "ü", "😀", "{", "}", "*", "=")
        .list().ofMinSize(1).ofMaxSize(6).map(units -> String.join("", units))
        .filter(s -> !s.startsWith("$"));
  }

  @Property
  void aRequestsTopicRoutesBackToItsMethodWithItsFields(
      @ForAll("levels") String deviceId, @ForAll("levels") String sensor) {
    Reading reading = Reading.newBuilder().setDeviceId(deviceId).setSensor(sensor).build();

    String topic = PUBLISH.requestTopic(reading);
    Optional<MethodTable.Route> route = TELEMETRY.route(topic);
    Reading.Builder received = Reading.newBuilder();
    PUBLISH.fillFromTopic(topic, received);

    assertEquals(Optional.of(new MethodTable.Route(PUBLISH, true)), route);
    assertEquals(reading, received.build());
  }

  @Provide
  Arbitrary<String> levels() {
    return level();
  }

  /**
   * Whatever two templates the options hold, either the table rejects them or every topic one
   * method's requests can produce reaches that method alone: through routing, and through the
   * broker (no other subscribed filter receives it).
   */
  @Property(tries = 1000)
  void aBuiltTableNeverLetsTwoSubscriptionsReceiveOneRequest(
      @ForAll("templates") String first, @ForAll("templates") String second,
      @ForAll("values") List<String> values) {
    MethodTable table;
    try {
      table = table(service("S", unary("A", topic(first)), unary("B", topic(second))));
    } catch (MappingException e) {
      Statistics.collect("rejected");
      return;
    }
    Statistics.collect("built");
    for (MappedMethod method : table.methods()) {
      String topic = method.requestTopic(request(method, values));
      assertEquals(Optional.of(new MethodTable.Route(method, true)), table.route(topic), topic);
      for (MappedMethod other : table.methods()) {
        if (other != method) {
          assertFalse(MqttFilter.matches(other.subscriptionFilter(), topic),
              other.subscriptionFilter() + " receives " + topic);
        }
      }
      assertFalse(MqttFilter.matches(method.service().defaultFilter(), topic));
      assertTrue(MqttFilter.matches(method.subscriptionFilter(), topic));
    }
  }

  /** A request whose bound string fields take successive values (several levels for '**'). */
  private static DynamicMessage request(MappedMethod method, List<String> values) {
    DynamicMessage.Builder request = DynamicMessage.newBuilder(method.descriptor().getInputType());
    int next = 0;
    for (Segment segment : method.requestTemplate().segments()) {
      if (segment instanceof Segment.Variable variable) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName(variable.fieldPath());
        String value = values.get(next++ % values.size());
        if (variable.multiLevel()) {
          value = value + "/" + values.get(next++ % values.size());
        }
        request.setField(field, value);
      }
    }
    return request.build();
  }

  @Provide
  Arbitrary<String> templates() {
    // Few literals, so that templates often share levels and collide.
    Arbitrary<String> literal = Arbitraries.of("a", "b", "grpc", "_cancel");
    Arbitrary<List<String>> levels = literal.list().ofMinSize(0).ofMaxSize(3);
    Arbitrary<Integer> variables = Arbitraries.integers().between(0, 2);
    Arbitrary<Boolean> multiLevel = Arbitraries.of(true, false);
    return Combinators.combine(levels, variables, multiLevel, Arbitraries.randoms())
        .as((lits, vars, multi, random) -> {
          List<String> out = new ArrayList<>(lits);
          List<String> names = new ArrayList<>(List.of("name", "maybe", "queue"));
          for (int i = 0; i < vars; i++) {
            out.add(random.nextInt(out.size() + 1), "{" + names.remove(0) + "}");
          }
          if (multi) {
            out.add("{path=**}");
          }
          return out.isEmpty() ? "a" : String.join("/", out);
        })
        .filter(t -> {
          try {
            TopicTemplate.parse(t);
            return true;
          } catch (IllegalArgumentException e) {
            return false;
          }
        });
  }

  @Provide
  Arbitrary<List<String>> values() {
    return Arbitraries.oneOf(Arbitraries.of("a", "b", "grpc", "_cancel", "A",
        "grpcmqtt.mapper.template.test.S"), level())
        .list().ofMinSize(1).ofMaxSize(4);
  }
}
