/**
 * Topic templates: how a gRPC method's request fields map onto MQTT topic names, modelled on
 * {@code google.api.http} path templates.
 *
 * <h2>Grammar</h2>
 *
 * <pre>
 * Template  = Segment { "/" Segment } ;
 * Segment   = LITERAL | "*" | Variable ;
 * Variable  = "{" FieldPath [ "=" ( "*" | "**" ) ] "}" ;
 * FieldPath = IDENT { "." IDENT } ;
 * IDENT     = ( letter | "_" ) { letter | digit | "_" } ;   (ASCII, as protobuf field names)
 * LITERAL   = one or more characters other than "/", "{", "}", "*", "+", "#", NUL ;
 * </pre>
 *
 * <ul>
 *   <li>A literal level matches itself exactly. Every level is non-empty, so a template has no
 *       leading, trailing or doubled {@code /}.
 *   <li>{@code *} matches exactly one non-empty level and binds nothing.
 *   <li>{@code {a.b}}, the same as {@code {a.b=*}}, binds one non-empty level to field path
 *       {@code a.b} of the request message.
 *   <li>{@code {a.b=**}} binds one or more levels, joined by {@code /}; it may only be the last
 *       segment.
 *   <li>A field path is bound at most once per template.
 * </ul>
 *
 * <h2>MQTT rules</h2>
 *
 * <ul>
 *   <li>The template, like any topic, is at most 65,535 bytes of UTF-8 and is well-formed UTF-16
 *       (no unpaired surrogates).
 *   <li>Literals contain no MQTT wildcard ({@code +}, {@code #}) and no NUL.
 *   <li>The first level does not start with {@code $}, which brokers reserve for topics such as
 *       {@code $SYS} and {@code $share}; and since MQTT wildcards do not match such topics, no
 *       value may put a {@code $} there either.
 *   <li>Callers may reserve further prefixes (such as {@code grpc/_} for control topics) with
 *       {@link io.grpcmqtt.mapper.template.TopicTemplate#validate(java.util.Set)}.
 * </ul>
 *
 * <p>{@link io.grpcmqtt.mapper.template.TopicTemplate} is the pure syntax; {@link
 * io.grpcmqtt.mapper.template.TemplateBinding} ties it to a request message type; {@link
 * io.grpcmqtt.mapper.template.TemplateOverlap} finds templates that collide. All problems are
 * reported as {@link io.grpcmqtt.mapper.template.TemplateException} with a precise, stable
 * message; syntax errors give the 0-based char position.
 */
package io.grpcmqtt.mapper.template;
