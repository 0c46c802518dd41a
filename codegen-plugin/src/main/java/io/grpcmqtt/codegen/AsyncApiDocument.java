package io.grpcmqtt.codegen;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MappedService;
import io.grpcmqtt.mapper.template.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * An AsyncAPI 3.1.0 document of one service, written from the server's side: it receives each
 * method's requests on the method's topic and replies on the request's Response Topic. Payload
 * schemas describe the proto3 JSON form (Content Type {@code application/json}); without a
 * Content Type the same messages travel as protobuf binary. Unary methods also have the channels
 * of the MQTT 3.1.1 binding ({@code Name.mqtt311}, replies on {@code mqtt311.reply}), where the
 * reply address, request id and payload format are topic levels.
 */
final class AsyncApiDocument {
  /** The newest AsyncAPI version @asyncapi/parser validates without a warning (codegen-tests). */
  static final String ASYNCAPI_VERSION = "3.1.0";
  private static final String MQTT_BINDING_VERSION = "0.2.0";

  private final MappedService service;
  private final String prefix;
  private final Mqtt311Topics mqtt311;
  private final String version;
  private final JsonSchemas schemas = new JsonSchemas();

  AsyncApiDocument(MappedService service, String prefix, String version) {
    this.service = service;
    this.prefix = prefix;
    this.mqtt311 = new Mqtt311Topics(prefix);
    this.version = version;
  }

  /** Where protoc writes the document, relative to the output directory. */
  String path() {
    return "asyncapi/" + service.name() + ".asyncapi.json";
  }

  String json() {
    Json.Obj channels = Json.obj();
    Json.Obj operations = Json.obj();
    Json.Obj messages = Json.obj();
    Json.Obj mqtt311Replies = Json.obj();
    for (MappedMethod method : service.methods()) {
      addMethod(method, channels, operations, messages);
      if (method.type() == MethodType.UNARY) {
        addMqtt311(method, channels, operations, messages, mqtt311Replies);
      }
    }
    if (!mqtt311Replies.isEmpty()) {
      mqtt311Replies.put(MQTT311_ERROR, ref("#/components/messages/" + MQTT311_ERROR));
      messages.put(MQTT311_ERROR, mqtt311ErrorMessage());
      channels.put(MQTT311_REPLY, Json.obj()
          .with("address", mqtt311.replyAddress())
          .with("title", "MQTT 3.1.1 replies")
          .with("description", "The one reply of a call made over the MQTT 3.1.1 binding"
              + " (docs/protocol.md §14): the status code is the last topic level, the payload the"
              + " response (status 0, in the request's format) or the error text. A device"
              + " subscribes to " + mqtt311.replyFilter("{replyRef}") + ".")
          .with("parameters", Json.obj()
              .with("replyRef", Json.obj().with("description", "The request's reply reference."))
              .with("requestId", Json.obj().with("description", "The request's id."))
              .with("status", Json.obj().with("description", "The gRPC status code, 0 for OK.")))
          .with("messages", mqtt311Replies));
    }
    messages.put("status", statusMessage());
    Json.Obj doc = Json.obj()
        .with("asyncapi", ASYNCAPI_VERSION)
        .with("info", Json.obj()
            .with("title", service.name())
            .with("version", version)
            .with("description", "gRPC service " + service.name() + " (from "
                + service.descriptor().getFile().getName() + ") over MQTT 5 with grpc-mqtt. Each"
                + " method is also reachable on its default topic " + prefix + "/"
                + service.name() + "/<Method>, where the payload is always the whole request."
                + " Payloads are proto3 JSON with Content Type application/json, protobuf binary"
                + " without one; replies use the request's format. Unary methods are also"
                + " callable by MQTT 3.1.1 clients, with everything in topic levels: "
                + mqtt311.requestAddress("<request topic>") + ", replies on "
                + mqtt311.replyAddress() + "."))
        .with("channels", channels)
        .with("operations", operations)
        .with("components", Json.obj()
            .with("messages", messages)
            .with("schemas", schemas.all()));
    return Json.write(doc);
  }

  private void addMethod(MappedMethod method, Json.Obj channels, Json.Obj operations,
      Json.Obj messages) {
    String name = method.descriptor().getName();
    String replyChannel = name + "-reply";

    Json.Obj requestMessages = Json.obj();
    requestMessages.put("request", ref("#/components/messages/" + name + ".request"));
    messages.put(name + ".request", requestMessage(method));
    method.bodyField().ifPresent(field -> {
      requestMessages.put("body", ref("#/components/messages/" + name + ".body"));
      messages.put(name + ".body", bodyMessage(method, field));
    });
    channels.put(name, Json.obj()
        .with("address", address(method))
        .with("title", name + " requests")
        .with("description", requestChannelDescription(method))
        .withOptional("parameters", parameters(method))
        .with("messages", requestMessages));

    Json.Obj replyMessages = Json.obj()
        .with("response", ref("#/components/messages/" + name + ".response"))
        .with("status", ref("#/components/messages/status"));
    messages.put(name + ".response", responseMessage(method));
    channels.put(replyChannel, Json.obj()
        .with("address", null)
        .with("title", name + " replies")
        .with("description", "The Response Topic of the request; every reply carries the"
            + " request's Correlation Data.")
        .with("messages", replyMessages));

    List<Object> sent = new ArrayList<>();
    requestMessages.keySet().forEach(k -> sent.add(ref("#/channels/" + name + "/messages/" + k)));
    Json.Obj operation = Json.obj()
        .with("action", "receive")
        .with("channel", ref("#/channels/" + name))
        .with("summary", summary(method))
        .with("messages", sent);
    if (method.qos().isPresent() || method.timeout().isPresent() || method.idempotent()) {
      operation.with("x-grpc-mqtt", Json.obj()
          .withOptional("qos", method.qos().isPresent() ? method.qos().getAsInt() : null)
          .withOptional("timeout", method.timeout().map(d -> d.toMillis() + "ms").orElse(null))
          .withOptional("idempotent", method.idempotent() ? Boolean.TRUE : null));
    }
    if (method.qos().isPresent()) {
      operation.with("bindings", Json.obj().with("mqtt", Json.obj()
          .with("qos", method.qos().getAsInt())
          .with("bindingVersion", MQTT_BINDING_VERSION)));
    }
    operation.with("reply", Json.obj()
        .with("channel", ref("#/channels/" + replyChannel))
        .with("messages", List.of(
            ref("#/channels/" + replyChannel + "/messages/response"),
            ref("#/channels/" + replyChannel + "/messages/status"))));
    operations.put(name, operation);
  }

  /**
   * The channel of every MQTT 3.1.1 reply of the service, and its error message. Proto names have
   * no '.', so these keys never meet a method's.
   */
  private static final String MQTT311_REPLY = "mqtt311.reply";
  private static final String MQTT311_ERROR = "mqtt311.error";

  /** The method's request channel and operation in the MQTT 3.1.1 binding. */
  private void addMqtt311(MappedMethod method, Json.Obj channels, Json.Obj operations,
      Json.Obj messages, Json.Obj replies) {
    String name = method.descriptor().getName();
    String key = name + ".mqtt311";
    messages.put(key + ".request", Json.obj()
        .with("name", method.descriptor().getInputType().getFullName())
        .with("title", name + " request (MQTT 3.1.1)")
        .with("summary", "The request message: proto3 JSON with the option json, protobuf binary"
            + " with pb" + (method.bodyField().isPresent()
                ? "; with neither, the raw value of request field "
                    + method.bodyField().get().getName() + "."
                : " or neither."))
        .with("contentType", "application/json")
        .with("payload", schemas.ref(method.descriptor().getInputType())));
    messages.put(key + ".response", Json.obj()
        .with("name", method.descriptor().getOutputType().getFullName())
        .with("title", name + " response (MQTT 3.1.1)")
        .with("summary", "Status 0: the response, in the request's format (protobuf binary"
            + " unless the request named json).")
        .with("contentType", "application/json")
        .with("payload", schemas.ref(method.descriptor().getOutputType())));
    replies.put(name + ".response", ref("#/components/messages/" + key + ".response"));

    Json.Obj parameters = Json.obj()
        .with("replyRef", Json.obj().with("description", "Where the reply goes: 1 to "
            + Mqtt311Topics.MAX_REPLY_REF + " printable ASCII characters other than / + # and"
            + " space; the caller's MQTT client id, so a broker ACL can keep its replies to it."))
        .with("requestId", Json.obj().with("description", "The call's id, 1 to "
            + Mqtt311Topics.MAX_REQUEST_ID + " such characters, unique per reply reference"
            + " for at least a minute: a repeated id is answered from the reply cache."))
        .with("options", Json.obj().with("description", "- (or empty) for none, else items"
            + " separated by commas: json or pb (the payload format), and a timeout such as 30S"
            + " (grpc-timeout syntax)."));
    Json.Obj templateParameters = parameters(method);
    if (templateParameters != null) {
      templateParameters.forEach(parameters::put);
    }
    channels.put(key, Json.obj()
        .with("address", mqtt311.requestAddress(address(method)))
        .with("title", name + " requests (MQTT 3.1.1)")
        .with("description", "The MQTT 3.1.1 binding of " + method.fullMethodName()
            + " (docs/protocol.md §14): the method's request topic after the reply reference,"
            + " request id and options levels.")
        .with("parameters", parameters)
        .with("messages", Json.obj().with("request", ref("#/components/messages/" + key + ".request"))));
    operations.put(key, Json.obj()
        .with("action", "receive")
        .with("channel", ref("#/channels/" + key))
        .with("summary", method.fullMethodName() + " (unary, MQTT 3.1.1)")
        .with("messages", List.of(ref("#/channels/" + key + "/messages/request")))
        .with("reply", Json.obj()
            .with("channel", ref("#/channels/" + MQTT311_REPLY))
            .with("messages", List.of(
                ref("#/channels/" + MQTT311_REPLY + "/messages/" + name + ".response"),
                ref("#/channels/" + MQTT311_REPLY + "/messages/" + MQTT311_ERROR)))));
  }

  private static Json.Obj mqtt311ErrorMessage() {
    return Json.obj()
        .with("name", "error")
        .with("title", "Error (MQTT 3.1.1)")
        .with("summary", "A status other than 0 (the last topic level): the payload is the status"
            + " description, UTF-8 text, possibly empty.")
        .with("contentType", "text/plain")
        .with("payload", Json.obj().with("type", "string"));
  }

  /** The topic in AsyncAPI form: variables as {@code {name}} parameters. */
  private static String address(MappedMethod method) {
    List<String> levels = new ArrayList<>();
    for (Segment segment : method.requestTemplate().segments()) {
      levels.add(segment instanceof Segment.Variable v ? "{" + parameterName(v) + "}" : segment.canonical());
    }
    return String.join("/", levels);
  }

  /** AsyncAPI parameter names allow no '.', and '-' cannot occur in proto names. */
  private static String parameterName(Segment.Variable variable) {
    return variable.fieldPath().replace('.', '-');
  }

  private static Json.Obj parameters(MappedMethod method) {
    Json.Obj parameters = Json.obj();
    for (Segment segment : method.requestTemplate().segments()) {
      if (segment instanceof Segment.Variable v) {
        parameters.put(parameterName(v), Json.obj().with("description", "Request field "
            + v.fieldPath() + (v.multiLevel() ? ", one or more topic levels." : ", one topic level.")));
      }
    }
    return parameters.isEmpty() ? null : parameters;
  }

  private static String requestChannelDescription(MappedMethod method) {
    StringBuilder text = new StringBuilder();
    text.append(method.binding().isPresent()
        ? "Topic template " + method.requestTemplate() + "; the server fills the bound request"
            + " fields from the topic."
        : "The default topic of " + method.fullMethodName() + ".");
    switch (method.type()) {
      case CLIENT_STREAMING:
      case BIDI_STREAMING:
        text.append(" Streaming requests: the first PUBLISH is an empty 'open' (user property"
            + " grpc-ctl=open); messages follow on the server's call topic (docs/protocol.md).");
        break;
      default:
        break;
    }
    return text.toString();
  }

  private static String summary(MappedMethod method) {
    String kind;
    switch (method.type()) {
      case SERVER_STREAMING:
        kind = "server-streaming";
        break;
      case CLIENT_STREAMING:
        kind = "client-streaming";
        break;
      case BIDI_STREAMING:
        kind = "bidi-streaming";
        break;
      default:
        kind = "unary";
    }
    return method.fullMethodName() + " (" + kind + ")";
  }

  private Json.Obj requestMessage(MappedMethod method) {
    return Json.obj()
        .with("name", method.descriptor().getInputType().getFullName())
        .with("title", method.descriptor().getName() + " request")
        .with("contentType", "application/json")
        .with("payload", schemas.ref(method.descriptor().getInputType()))
        .with("headers", requestHeaders())
        .with("bindings", mqttBinding(true));
  }

  private static Json.Obj bodyMessage(MappedMethod method, FieldDescriptor field) {
    return Json.obj()
        .with("name", "raw " + field.getName())
        .with("title", method.descriptor().getName() + " raw payload")
        .with("summary", "Any payload without a message Content Type is the value of request"
            + " field " + field.getName() + " (" + (field.getType() == FieldDescriptor.Type.BYTES
                ? "bytes" : "UTF-8 text") + "); the topic fills the other fields. Without a"
            + " Response Topic the call is one-way.")
        .with("contentType", "application/octet-stream")
        .with("payload", Json.obj().with("type", "string").with("format", "binary"))
        .with("bindings", mqttBinding(true));
  }

  private Json.Obj responseMessage(MappedMethod method) {
    boolean streaming = method.type() == MethodType.SERVER_STREAMING
        || method.type() == MethodType.BIDI_STREAMING;
    Json.Obj headers = Json.obj().with("type", "object");
    Json.Obj properties = Json.obj();
    if (streaming) {
      properties.put("grpc-seq", Json.obj().with("type", "string")
          .with("description", "Sequence number of the reply within the call."));
    } else {
      properties.put("grpc-status", Json.obj().with("type", "string").with("const", "0"));
    }
    headers.with("properties", properties);
    return Json.obj()
        .with("name", method.descriptor().getOutputType().getFullName())
        .with("title", method.descriptor().getName() + (streaming ? " response message" : " response"))
        .with("contentType", "application/json")
        .with("payload", schemas.ref(method.descriptor().getOutputType()))
        .with("headers", headers)
        .with("bindings", mqttBinding(false));
  }

  private static Json.Obj statusMessage() {
    return Json.obj()
        .with("name", "status")
        .with("title", "Final status or error")
        .with("summary", "Empty payload; ends a streaming call, or answers a call that failed.")
        .with("payload", Json.obj().with("type", "string").with("maxLength", 0))
        .with("headers", Json.obj().with("type", "object")
            .with("required", List.of("grpc-status"))
            .with("properties", Json.obj()
                .with("grpc-status", Json.obj().with("type", "string")
                    .with("description", "The gRPC status code, 0 for OK."))
                .with("grpc-message", Json.obj().with("type", "string")
                    .with("description", "The error text."))))
        .with("bindings", mqttBinding(false));
  }

  private static Json.Obj requestHeaders() {
    return Json.obj()
        .with("type", "object")
        .with("description", "MQTT user properties: gRPC metadata (lower-case keys) and"
            + " grpc-timeout.")
        .with("additionalProperties", Json.obj().with("type", "string"));
  }

  private static Json.Obj mqttBinding(boolean request) {
    Json.Obj mqtt = Json.obj()
        .with("correlationData", Json.obj().with("type", "string").with("format", "binary")
            .with("description", request ? "Echoed on every reply; required for streaming calls."
                : "The request's Correlation Data."));
    if (request) {
      mqtt.with("responseTopic", Json.obj().with("type", "string")
          .with("description", "Where replies go; absent for a one-way call."));
    }
    return Json.obj().with("mqtt", mqtt.with("bindingVersion", MQTT_BINDING_VERSION));
  }

  private static Json.Obj ref(String target) {
    return Json.obj().with("$ref", target);
  }
}
