package io.grpcmqtt;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpcmqtt.internal.StreamAttributes;
import javax.annotation.Nullable;

/**
 * Who a call's answer goes to, for {@code ServerInterceptor}s and services of an {@link
 * MqttServerBuilder} server.
 *
 * <p>MQTT 5 does not tell a receiver who published a message. What a server knows about a caller
 * is the request's Response Topic; a grpc-mqtt channel always uses {@code {prefix}/_reply/{its
 * MQTT client id}}. Before any user interceptor runs, the server puts into the call's {@link
 * Context}:
 *
 * <ul>
 *   <li>{@link #CALLER_CLIENT_ID}: the client id in that reply topic, or null when the Response
 *       Topic is not a grpc-mqtt reply topic of the server's prefix (a device's own topic), or the
 *       request had none (a one-way call);
 *   <li>{@link #RESPONSE_TOPIC}: the raw Response Topic, or null for a one-way call.
 * </ul>
 *
 * A call over the MQTT 3.1.1 binding (docs/protocol.md §14) has no Response Topic: its caller id
 * is the request's reply reference, and its response topic {@code {prefix}/_311/res/{replyRef}},
 * below which its reply is published.
 *
 * The Response Topic is also on {@code ServerCall.getAttributes()} (and a stream tracer's {@code
 * ServerCallInfo}) under {@link #ATTR_RESPONSE_TOPIC}.
 *
 * <pre>{@code
 * String caller = MqttCallAttributes.callerClientId();   // in a service or interceptor
 * }</pre>
 *
 * <h2>Trust</h2>
 *
 * The client id is trustworthy only together with a broker ACL that lets each client receive
 * only its own reply topic ({@code pattern read {prefix}/_reply/%c} in Mosquitto, and no other
 * rule granting clients read access to reply topics, as in docs/operations.md). With that ACL it
 * names the only client that can read the call's answer (and its response headers, messages and
 * status), so it is sound for deciding what a caller may <em>see</em>.
 *
 * <p>It does <em>not</em> prove who sent the request: any client allowed to publish on a request
 * topic can name another client's reply topic. The handler then runs with that other client's id,
 * and the answer goes to that client, not to the sender. Do not authorize side effects on the
 * client id alone: authenticate them in the call itself (e.g. a token in metadata), or have the
 * broker reject requests whose Response Topic is not the publisher's own reply topic (a broker
 * extension or plugin; Mosquitto's {@code acl_file} cannot inspect message properties). Over
 * the MQTT 3.1.1 binding the reply reference is a topic level, which an ACL can tie to the
 * publisher's client id ({@code pattern write {prefix}/_311/req/%c/...}, docs/operations.md §5):
 * there it does name the sender.
 */
public final class MqttCallAttributes {
  /** The calling channel's MQTT client id, taken from the Response Topic; see the class comment. */
  public static final Context.Key<String> CALLER_CLIENT_ID =
      Context.key("io.grpcmqtt.caller-client-id");

  /** The request's Response Topic, where every reply of the call is published. */
  public static final Context.Key<String> RESPONSE_TOPIC =
      Context.key("io.grpcmqtt.response-topic");

  /** The request's Response Topic on {@code ServerCall.getAttributes()}; absent for one-way calls. */
  public static final Attributes.Key<String> ATTR_RESPONSE_TOPIC = StreamAttributes.RESPONSE_TOPIC;

  private MqttCallAttributes() {}

  /** {@link #CALLER_CLIENT_ID} of the current context, or null. */
  @Nullable
  public static String callerClientId() {
    return CALLER_CLIENT_ID.get();
  }

  /** {@link #RESPONSE_TOPIC} of the current context, or null. */
  @Nullable
  public static String responseTopic() {
    return RESPONSE_TOPIC.get();
  }
}
