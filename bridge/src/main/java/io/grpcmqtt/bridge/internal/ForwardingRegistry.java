package io.grpcmqtt.bridge.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerMethodDefinition;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry that knows every method it {@code accepts}: each call is answered by forwarding it,
 * as raw bytes, to the same method on {@code target}. No code generation, no parsing.
 */
public final class ForwardingRegistry extends HandlerRegistry {
  private static final Logger log = LoggerFactory.getLogger(ForwardingRegistry.class);

  private final Channel target;
  private final Predicate<String> accepts;
  private final Function<String, MethodType> outgoingType;

  /**
   * @param accepts which full method names ({@code package.Service/Method}) to forward; the rest
   *     are left to gRPC, which answers {@code UNIMPLEMENTED}
   * @param outgoingType the call kind to announce on {@code target} for a method
   */
  public ForwardingRegistry(
      Channel target, Predicate<String> accepts, Function<String, MethodType> outgoingType) {
    this.target = target;
    this.accepts = accepts;
    this.outgoingType = outgoingType;
  }

  @Override
  @Nullable
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, @Nullable String authority) {
    if (!accepts.test(methodName)) {
      log.debug("not forwarding {}: not accepted", methodName);
      return null;
    }
    // The incoming side never checks the number of messages: the far end's server does that.
    MethodDescriptor<byte[], byte[]> incoming = raw(methodName, MethodType.UNKNOWN);
    MethodDescriptor<byte[], byte[]> outgoing = raw(methodName, outgoingType.apply(methodName));
    return ServerMethodDefinition.create(
        incoming,
        (call, headers) -> {
          log.debug("forwarding {} as {}", methodName, outgoing.getType());
          Deadline deadline = TrailingDeadlines.DEADLINE.get();
          CallOptions options =
              deadline == null ? CallOptions.DEFAULT : CallOptions.DEFAULT.withDeadline(deadline);
          return CallForwarder.start(
              call, headers, target.newCall(outgoing, options), outgoing.getType());
        });
  }

  private static MethodDescriptor<byte[], byte[]> raw(String fullMethodName, MethodType type) {
    return MethodDescriptor.newBuilder(RawMarshaller.INSTANCE, RawMarshaller.INSTANCE)
        .setFullMethodName(fullMethodName)
        .setType(type)
        .build();
  }

  /**
   * Whether a full method name can be carried as an MQTT request topic: {@code Service/Method},
   * both non-empty, without topic separators or wildcards, not in the reserved {@code _} space.
   */
  public static boolean isTopicSafe(String fullMethodName) {
    int slash = fullMethodName.indexOf('/');
    if (slash <= 0 || slash == fullMethodName.length() - 1
        || fullMethodName.indexOf('/', slash + 1) >= 0 || fullMethodName.charAt(0) == '_') {
      return false;
    }
    for (int i = 0; i < fullMethodName.length(); i++) {
      char c = fullMethodName.charAt(i);
      if (c == '+' || c == '#' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
