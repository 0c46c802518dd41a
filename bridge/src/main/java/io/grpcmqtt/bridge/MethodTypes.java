package io.grpcmqtt.bridge;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The call kind of each method a proxy forwards, which HTTP/2 does not carry but MQTT needs.
 *
 * <p>An HTTP/2 request names its method and nothing else: a unary call and a bidi call look the
 * same until they end. Over MQTT the client announces the kind in its first PUBLISH (a streaming
 * request opens the call, a streaming response grants credit), and a grpc-mqtt server that hosts
 * the method checks the announcement against its own descriptor. So the ingress proxy must know
 * each method's kind: from descriptors ({@link #of(Iterable)}), or else the {@link #defaultType()
 * default}, {@link MethodType#BIDI_STREAMING}, which can carry every kind of call but is accepted
 * only by servers that learn the kind from the request (an egress proxy, or any server's {@code
 * fallbackHandlerRegistry}); a server hosting a unary method with its generated descriptor
 * rejects a bidi-announced call with {@code INVALID_ARGUMENT}. See docs/bridge.md.
 *
 * <p>Immutable.
 */
public final class MethodTypes {
  private static final MethodTypes ALL_BIDI =
      new MethodTypes(ImmutableMap.of(), MethodType.BIDI_STREAMING);

  private final ImmutableMap<String, MethodType> types;
  private final MethodType defaultType;

  private MethodTypes(ImmutableMap<String, MethodType> types, MethodType defaultType) {
    this.types = types;
    this.defaultType = defaultType;
  }

  /** No descriptors: every method is forwarded as {@link MethodType#BIDI_STREAMING}. */
  public static MethodTypes allBidi() {
    return ALL_BIDI;
  }

  /**
   * The kinds of every method of every service in {@code files}; other methods get {@link
   * MethodType#BIDI_STREAMING}.
   */
  public static MethodTypes of(Iterable<FileDescriptor> files) {
    Map<String, MethodType> types = new LinkedHashMap<>();
    for (FileDescriptor file : files) {
      for (ServiceDescriptor service : file.getServices()) {
        for (MethodDescriptor method : service.getMethods()) {
          types.put(service.getFullName() + "/" + method.getName(), typeOf(method));
        }
      }
    }
    return new MethodTypes(ImmutableMap.copyOf(types), MethodType.BIDI_STREAMING);
  }

  /** The gRPC call kind of a method of a proto descriptor. */
  public static MethodType typeOf(MethodDescriptor method) {
    if (method.isClientStreaming()) {
      return method.isServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
    }
    return method.isServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
  }

  /** The same kinds, with {@code type} for methods the descriptors do not name. */
  public MethodTypes withDefault(MethodType type) {
    checkNotNull(type, "type");
    checkArgument(type != MethodType.UNKNOWN, "the default type must be a known call kind");
    return new MethodTypes(types, type);
  }

  /** The kind of {@code fullMethodName} ({@code package.Service/Method}). */
  public MethodType typeOf(String fullMethodName) {
    MethodType type = types.get(fullMethodName);
    return type != null ? type : defaultType;
  }

  /** Whether the descriptors name {@code fullMethodName}. */
  public boolean knows(String fullMethodName) {
    return types.containsKey(fullMethodName);
  }

  /** The kind of methods the descriptors do not name. */
  public MethodType defaultType() {
    return defaultType;
  }

  /** How many methods the descriptors name. */
  public int size() {
    return types.size();
  }

  @Override
  public String toString() {
    return "MethodTypes{" + types.size() + " methods, default " + defaultType + "}";
  }
}
