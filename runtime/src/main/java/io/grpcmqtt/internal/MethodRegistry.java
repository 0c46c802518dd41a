package io.grpcmqtt.internal;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * What the transport needs to know of the hosted methods before gRPC dispatches a call: the
 * services to subscribe to, each method's call kind, and its message prototypes (for JSON and for
 * rejecting malformed protobuf with INVALID_ARGUMENT before the handler runs).
 *
 * <p>Immutable: made once per server from the services given to its builder. Each {@link Entry}
 * is handed to the {@link RequestRoute}s of its method when they are made, so a request finds its
 * entry through the route it arrived on, without looking it up by name. Services of a fallback
 * registry (which may change at runtime) have no entry here: gRPC looks their methods up itself.
 */
public final class MethodRegistry {
  /** One hosted method. */
  static final class Entry {
    final MethodDescriptor<?, ?> method;
    @Nullable final Message requestPrototype;
    @Nullable final Message responsePrototype;
    /** Set for a call that arrived on a topic template: what the topic and body fill. */
    @Nullable final TopicFields topicFields;

    Entry(MethodDescriptor<?, ?> method) {
      this(method, prototypeOf(method.getRequestMarshaller()),
          prototypeOf(method.getResponseMarshaller()), null);
    }

    private Entry(
        MethodDescriptor<?, ?> method,
        @Nullable Message requestPrototype,
        @Nullable Message responsePrototype,
        @Nullable TopicFields topicFields) {
      this.method = method;
      this.requestPrototype = requestPrototype;
      this.responsePrototype = responsePrototype;
      this.topicFields = topicFields;
    }

    /** This entry for one call whose request the topic (and body) complete. */
    Entry withTopicFields(TopicFields fields) {
      return new Entry(method, requestPrototype, responsePrototype, fields);
    }

    @Nullable
    private static Message prototypeOf(MethodDescriptor.Marshaller<?> marshaller) {
      if (marshaller instanceof MethodDescriptor.PrototypeMarshaller) {
        Object prototype = ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
        if (prototype instanceof Message) {
          return (Message) prototype;
        }
      }
      return null;
    }
  }

  private final List<String> serviceNames;
  private final RequestRoutes routes;

  private MethodRegistry(List<String> serviceNames, RequestRoutes routes) {
    this.serviceNames = serviceNames;
    this.routes = routes;
  }

  /**
   * @param services the services added to the server builder
   * @param extraServiceNames services handled by a fallback registry: subscribed, but unknown here
   * @param topicPrefix the server's topic prefix
   * @throws IllegalArgumentException when the services' {@code grpcmqtt} options are invalid
   */
  public static MethodRegistry of(
      List<ServerServiceDefinition> services, List<String> extraServiceNames, String topicPrefix) {
    Map<String, Entry> methods = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    for (ServerServiceDefinition service : services) {
      names.add(service.getServiceDescriptor().getName());
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
        methods.put(descriptor.getFullMethodName(), new Entry(descriptor));
      }
    }
    names.addAll(extraServiceNames);
    ImmutableMap<String, Entry> entries = ImmutableMap.copyOf(methods);
    return new MethodRegistry(ImmutableList.copyOf(names),
        RequestRoutes.of(topicPrefix, services, extraServiceNames, entries));
  }

  List<String> serviceNames() {
    return serviceNames;
  }

  /** The request subscriptions and topic routing of these services. */
  RequestRoutes routes() {
    return routes;
  }
}
