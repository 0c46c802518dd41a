package io.grpcmqtt.internal;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MethodTable;
import io.grpcmqtt.mapper.template.TemplateException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a channel publishes each call's first message. A method whose proto options map it to a
 * topic template is published to the template expanded from the request; every other method
 * (no options, or no proto schema at all) to its default topic {@code
 * {prefix}/{package.Service}/{Method}}, exactly as without this class.
 *
 * <p>A request whose fields cannot form the template's topic (an empty bound field, a value with
 * {@code /}, {@code +} or {@code #}) goes to the default topic instead, where the payload is the
 * whole message: every request a stub can send still reaches the method, as without options.
 */
final class ClientRoutes {
  private static final Logger log = LoggerFactory.getLogger(ClientRoutes.class);

  /** The topic and Content Type of a call's first PUBLISH. */
  record Target(String topic, @Nullable String contentType) {}

  /**
   * What a method's calls need, found once per method: its default target, its mapping (null
   * when its options map nothing) or the reason its service's options are invalid.
   */
  private record Route(Target fallback, @Nullable MappedMethod mapped,
      @Nullable IllegalArgumentException invalid) {}

  /**
   * Methods remembered at most: stubs hold a few constant descriptors, but a proxy may make one
   * per call; beyond this the route is found per call, as before it was remembered.
   */
  private static final int MAX_ROUTES = 10_000;

  private final Topics topics;
  private final boolean templateTopics;
  /** Each service's table, or the exception that made it invalid; built once per service. */
  private final Map<ServiceDescriptor, Object> tables = new ConcurrentHashMap<>();
  /** By descriptor identity (MethodDescriptor has no equals): one lookup per call. */
  private final Map<MethodDescriptor<?, ?>, Route> routes = new ConcurrentHashMap<>();

  ClientRoutes(Topics topics, boolean templateTopics) {
    this.topics = topics;
    this.templateTopics = templateTopics;
  }

  /**
   * @param request the serialized request (empty for the open of a client-streaming call)
   * @throws StatusException INTERNAL when the service's mapping options are invalid
   */
  Target target(MethodDescriptor<?, ?> method, byte[] request) throws StatusException {
    Route route = route(method);
    Target fallback = route.fallback();
    if (!templateTopics) {
      return fallback;
    }
    MappedMethod mapped = mapped(route);
    if (mapped == null || mapped.binding().isEmpty()) {
      return fallback;
    }
    try {
      DynamicMessage message =
          DynamicMessage.parseFrom(mapped.descriptor().getInputType(), request);
      return new Target(mapped.requestTopic(message), mapped.requestContentType());
    } catch (TemplateException e) {
      log.debug("{}; publishing to the default topic", e.getMessage());
      return fallback;
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("cannot read the request of "
          + method.getFullMethodName() + " to build its topic: " + e.getMessage()).asException();
    }
  }

  /** The method's QoS from its options, else {@code fallback}. */
  int qos(MethodDescriptor<?, ?> method, int fallback) {
    Route route = route(method);
    // Invalid options: the call fails with the reason when it publishes.
    return route.mapped() == null ? fallback : route.mapped().qos().orElse(fallback);
  }

  @Nullable
  private static MappedMethod mapped(Route route) throws StatusException {
    if (route.invalid() != null) {
      throw Status.INTERNAL.withDescription("invalid grpcmqtt options: "
          + route.invalid().getMessage()).asException();
    }
    return route.mapped();
  }

  private Route route(MethodDescriptor<?, ?> method) {
    Route route = routes.get(method);
    if (route == null) {
      route = findRoute(method);
      if (routes.size() < MAX_ROUTES) {
        routes.putIfAbsent(method, route);
      }
    }
    return route;
  }

  private Route findRoute(MethodDescriptor<?, ?> method) {
    Target fallback = new Target(topics.request(method.getFullMethodName()), null);
    if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return new Route(fallback, null, null);
    }
    com.google.protobuf.Descriptors.MethodDescriptor proto = supplier.getMethodDescriptor();
    Object table = tables.computeIfAbsent(proto.getService(), service -> {
      try {
        return MethodTable.build(topics.prefix(), service);
      } catch (IllegalArgumentException e) {
        return e;
      }
    });
    if (table instanceof IllegalArgumentException e) {
      return new Route(fallback, null, e);
    }
    return new Route(fallback,
        ((MethodTable) table).method(method.getFullMethodName()).orElse(null), null);
  }
}
