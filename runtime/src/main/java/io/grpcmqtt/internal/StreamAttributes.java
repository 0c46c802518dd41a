package io.grpcmqtt.internal;

import io.grpc.Attributes;
import javax.annotation.Nullable;

/** What a server stream adds to its transport's attributes: the request's Response Topic. */
public final class StreamAttributes {
  /** The Response Topic of the request that opened the call; absent for one-way requests. */
  public static final Attributes.Key<String> RESPONSE_TOPIC =
      Attributes.Key.create("io.grpcmqtt.response-topic");

  private StreamAttributes() {}

  /** The transport's attributes plus the call's Response Topic, if it has one. */
  static Attributes forCall(Attributes transportAttributes, @Nullable String responseTopic) {
    if (responseTopic == null) {
      return transportAttributes;
    }
    return transportAttributes.toBuilder().set(RESPONSE_TOPIC, responseTopic).build();
  }
}
