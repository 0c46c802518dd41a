package io.grpcmqtt.mapper.table;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.grpc.MethodDescriptor.MethodType;
import io.grpcmqtt.mapper.template.TemplateBinding;
import io.grpcmqtt.mapper.template.TemplateException;
import io.grpcmqtt.mapper.template.TopicTemplate;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import javax.annotation.Nullable;

/**
 * One method of a {@link MethodTable}: where its requests travel and how a request PUBLISH
 * becomes its request message. Immutable and thread-safe.
 *
 * <p>Every method is reachable on its {@linkplain #defaultTopic() default topic}, where the
 * payload is always the whole request message. A method with a {@linkplain #binding() template}
 * is also reachable there: clients publish to the expanded template, and the server fills the
 * template's fields (and the {@linkplain #bodyField() body field}) from the topic and payload.
 */
public final class MappedMethod {
  /** What the Java client marks its payload with when the topic's payload would be a body. */
  public static final String MESSAGE_CONTENT_TYPE = "application/protobuf";

  private final MappedService service;
  private final MethodDescriptor descriptor;
  private final String defaultTopic;
  private final TopicTemplate requestTemplate;
  @Nullable private final TemplateBinding binding;
  @Nullable private final FieldDescriptor bodyField;
  @Nullable private final Integer qos;
  @Nullable private final Duration timeout;
  private final boolean idempotent;

  MappedMethod(
      MappedService service,
      MethodDescriptor descriptor,
      String defaultTopic,
      @Nullable TemplateBinding binding,
      @Nullable FieldDescriptor bodyField,
      @Nullable Integer qos,
      @Nullable Duration timeout,
      boolean idempotent) {
    this.service = service;
    this.descriptor = descriptor;
    this.defaultTopic = defaultTopic;
    this.binding = binding;
    this.requestTemplate = binding != null ? binding.template() : TopicTemplate.parse(defaultTopic);
    this.bodyField = bodyField;
    this.qos = qos;
    this.timeout = timeout;
    this.idempotent = idempotent;
  }

  /** The service this method belongs to. */
  public MappedService service() {
    return service;
  }

  /** The proto method. */
  public MethodDescriptor descriptor() {
    return descriptor;
  }

  /** {@code package.Service/Method}, as gRPC names it. */
  public String fullMethodName() {
    return service.name() + "/" + descriptor.getName();
  }

  /** The call kind, from the proto's {@code stream} keywords. */
  public MethodType type() {
    if (descriptor.isClientStreaming()) {
      return descriptor.isServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
    }
    return descriptor.isServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
  }

  /** {@code {prefix}/{package.Service}/{Method}}: always subscribed, payload the whole message. */
  public String defaultTopic() {
    return defaultTopic;
  }

  /** The topic template from the options, checked against the request type; empty if none. */
  public Optional<TemplateBinding> binding() {
    return Optional.ofNullable(binding);
  }

  /** The template clients publish to: the mapped one, or the default topic as a literal. */
  public TopicTemplate requestTemplate() {
    return requestTemplate;
  }

  /**
   * The filter a server subscribes to for this method: the template's own, or the service's
   * default filter {@code {prefix}/{package.Service}/+}.
   */
  public String subscriptionFilter() {
    return binding != null ? binding.template().subscriptionFilter() : service.defaultFilter();
  }

  /**
   * The request field a raw payload fills on the template's topics; empty when the payload is
   * the whole request message ({@code body: "*"}, the default).
   */
  public Optional<FieldDescriptor> bodyField() {
    return Optional.ofNullable(bodyField);
  }

  /** The QoS from the method's or service's options; empty means the connection's QoS. */
  public OptionalInt qos() {
    return qos == null ? OptionalInt.empty() : OptionalInt.of(qos);
  }

  /** The deadline of calls that set none; empty means the channel's default. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** Whether the options declare the method idempotent. */
  public boolean idempotent() {
    return idempotent;
  }

  /**
   * The topic to publish {@code request} to: the expanded template, or the default topic.
   *
   * @throws TemplateException when the request's values cannot form a topic (an empty bound
   *     field, a '/' in a single-level value, ...)
   */
  public String requestTopic(MessageOrBuilder request) {
    return binding != null ? binding.expand(request) : defaultTopic;
  }

  /**
   * The Content Type a client must put on a request published to {@link #requestTopic} so that
   * its payload is read as the whole message; null when no marking is needed.
   */
  @Nullable
  public String requestContentType() {
    return bodyField != null ? MESSAGE_CONTENT_TYPE : null;
  }

  /**
   * Whether a payload received on the template's topics with this Content Type is the raw value
   * of the body field rather than a whole message: true for a body-field method unless the
   * Content Type names a message encoding (protobuf or JSON).
   */
  public boolean payloadIsBody(@Nullable String contentType) {
    if (bodyField == null) {
      return false;
    }
    if (contentType == null) {
      return true;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    switch ((semicolon >= 0 ? type.substring(0, semicolon) : type).trim()) {
      case "application/json":
      case "application/protobuf":
      case "application/x-protobuf":
      case "application/grpc+proto":
        return false;
      default:
        return true;
    }
  }

  /**
   * Sets the body field of {@code request} to {@code payload}.
   *
   * @throws IllegalStateException when this method has no body field
   * @throws IllegalArgumentException when the body field is a string and the payload is not UTF-8
   */
  public void fillBody(Message.Builder request, byte[] payload) {
    if (bodyField == null) {
      throw new IllegalStateException(fullMethodName() + " has no body field");
    }
    if (bodyField.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING) {
      request.setField(bodyField, ByteString.copyFrom(payload));
      return;
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload))
          .toString();
      request.setField(bodyField, text);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("payload is not valid UTF-8, but it fills string field '"
          + bodyField.getName() + "' of " + bodyField.getContainingType().getFullName());
    }
  }

  /**
   * Fills the template's fields of {@code request} from {@code topic}.
   *
   * @return whether the topic matched the template (false also when there is no template)
   * @throws TemplateException when a level is not the text form of its field's type
   */
  public boolean fillFromTopic(String topic, Message.Builder request) {
    return binding != null && binding.bind(topic, request);
  }

  @Override
  public String toString() {
    return fullMethodName() + " (" + type() + ") on "
        + (binding != null ? binding.template() : defaultTopic);
  }
}
