/**
 * The method table: each gRPC method's MQTT mapping, built from service descriptors and the
 * {@code grpcmqtt/options.proto} options, validated as a whole.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>A method without options is requested on {@code {prefix}/{package.Service}/{Method}}, its
 *       default topic, with the whole request message as payload. Every method stays reachable
 *       there, templated or not.
 *   <li>{@code (grpcmqtt.method).topic} maps a method to a topic template (see {@link
 *       io.grpcmqtt.mapper.template}); {@code (grpcmqtt.service).topic_prefix} is put in front of
 *       every method's template, and gives methods without one the template {@code
 *       {topic_prefix}/{Method}}. Templates may not use a bare {@code *} (a client could not
 *       build the topic) nor start with the reserved {@code {prefix}/_}.
 *   <li>Unary and server-streaming methods may bind request fields in their template and name a
 *       {@code body} field. Client- and bidi-streaming methods publish their topic before any
 *       request message (an "open" frame), so their templates have no variables and their body is
 *       {@code *}.
 *   <li>{@code body} is {@code *} (the payload is the whole message) or a singular {@code bytes}
 *       or {@code string} field not bound in the template: on the template's topics a payload
 *       without a message Content Type ({@code application/protobuf}, {@code
 *       application/x-protobuf}, {@code application/grpc+proto}, {@code application/json}) fills
 *       that field, so a device can publish plain bytes.
 *   <li>QoS is 0 or 1; a timeout is positive; a shared-subscription group has no {@code /},
 *       {@code +} or {@code #}.
 *   <li>No topic may be received by two methods: templates must not overlap each other, the
 *       default topics of the table's services, or the control topics under {@code {prefix}/_};
 *       nor may the {@code #} filter of a {@code {x=**}} template receive another method's
 *       topic through its parent level.
 * </ul>
 *
 * <p>Every problem is a {@link io.grpcmqtt.mapper.table.MappingProblem} naming the file,
 * service, method and option; {@link io.grpcmqtt.mapper.table.MethodTable#build} reports all of
 * them at once in a {@link io.grpcmqtt.mapper.table.MappingException}.
 */
package io.grpcmqtt.mapper.table;
