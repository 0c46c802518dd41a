package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Status;
import io.grpc.internal.GrpcUtil;
import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mqtt.MqttUserProperty;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each refusal the server answers a request PUBLISH with, and what a call start holds. */
class RequestParserTest {
  private static final String SERVICE = "grpcmqtt.test.v1.TestService";
  private static final MethodRegistry REGISTRY = MethodRegistry.of(
      List.of(TestServiceGrpc.bindService(new TestServiceGrpc.AsyncService() {})), List.of(),
      "grpc");
  private static final int MAX_MESSAGE = 16;
  private static final int MAX_METADATA = 100;
  private static final long DEFAULT_DEADLINE = TimeUnit.SECONDS.toNanos(30);

  private final RequestParser parser =
      new RequestParser(MAX_MESSAGE, MAX_METADATA, 0);

  static Stream<Arguments> refusals() {
    return Stream.of(
        refusal("unsupported content type", request("Unary").contentType("text/plain"),
            Status.Code.INVALID_ARGUMENT,
            "unsupported content type 'text/plain': use application/json, or no content type"
                + " for protobuf"),
        refusal("malformed reserved property", request("Unary").prop("grpc-seq", "-1"),
            Status.Code.INVALID_ARGUMENT, "invalid grpc-seq '-1'"),
        refusal("a chunk on the request topic", request("Unary").prop("grpc-chunk", "0/2/20"),
            Status.Code.INVALID_ARGUMENT,
            "a chunked message cannot start a call: publish grpc-ctl=open to the request topic,"
                + " then the chunks to the grpc-call-topic of its accept"),
        refusal("message above the limit", request("Unary").payload(MAX_MESSAGE + 1),
            Status.Code.RESOURCE_EXHAUSTED,
            "request message of 17 bytes is larger than the limit of 16 bytes"),
        refusal("streaming without Correlation Data", request("ServerStream").correlation(null),
            Status.Code.INVALID_ARGUMENT,
            "streaming method " + SERVICE + "/ServerStream needs a Response Topic and"
                + " Correlation Data"),
        refusal("opened stream without Response Topic", request("Unary").responseTopic(null)
                .prop("grpc-ctl", "open"),
            Status.Code.INVALID_ARGUMENT,
            "streaming method " + SERVICE + "/Unary needs a Response Topic and Correlation Data"),
        refusal("control frame on the request topic", request("Unary").prop("grpc-ctl", "cancel"),
            Status.Code.INVALID_ARGUMENT,
            "unexpected grpc-ctl 'cancel' on the request topic of " + SERVICE + "/Unary"),
        refusal("binary metadata not base64", request("Unary").prop("x-bin", "!"),
            Status.Code.INVALID_ARGUMENT, "metadata value of binary key 'x-bin' is not base64"),
        refusal("metadata value not printable ASCII", request("Unary").prop("x-name", "é"),
            Status.Code.INVALID_ARGUMENT,
            "metadata value of 'x-name' has a non-printable-ASCII character; use a key ending in"
                + " -bin for binary or UTF-8 values"),
        refusal("bad grpc-timeout", request("Unary").prop("grpc-timeout", "soon"),
            Status.Code.INVALID_ARGUMENT, "invalid grpc-timeout 'soon'"),
        refusal("metadata above the limit", request("Unary").prop("x-big", "v".repeat(70)),
            Status.Code.RESOURCE_EXHAUSTED,
            "request metadata of 107 bytes is larger than the limit of 100 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesWithTheStatusTheCallerIsAnswered(
      String name, Request request, Status.Code code, String description) {
    RequestParser.Parsed parsed = parser.parse(request.route(), request.frame());

    assertNull(parsed.call);
    assertNotNull(parsed.refusal);
    assertEquals(code, parsed.refusal.getCode());
    assertEquals(description, parsed.refusal.getDescription());
  }

  static Stream<Arguments> framings() {
    return Stream.of(
        Arguments.of("Unary", request("Unary"), false, false),
        Arguments.of("ServerStream", request("ServerStream"), false, true),
        Arguments.of("ClientStream", request("ClientStream"), true, false),
        Arguments.of("Bidi", request("Bidi"), true, true),
        Arguments.of("Unary opened as a stream", request("Unary").prop("grpc-ctl", "open"),
            true, false),
        Arguments.of("Unary with credit", request("Unary").prop("grpc-credit", "8"), false, true),
        Arguments.of("one-way Unary", request("Unary").responseTopic(null).correlation(null),
            false, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void framingFollowsTheRequestOrTheMethodKind(
      String name, Request request, boolean requestStreaming, boolean responseStreaming) {
    RequestParser.CallStart call = start(parser, request);

    assertEquals(requestStreaming, call.requestStreaming);
    assertEquals(responseStreaming, call.responseStreaming);
  }

  @Test
  void theDeadlineIsTheSoonerOfTimeoutAndExpiry() {
    RequestParser.CallStart call =
        start(parser, request("Unary").prop("grpc-timeout", "5S").expiry(2L));

    assertEquals(TimeUnit.SECONDS.toNanos(2), call.timeoutNanos);
    assertEquals(TimeUnit.SECONDS.toNanos(2), call.headers.get(GrpcUtil.TIMEOUT_KEY));
    assertEquals(0, call.serverDefaultNanos);
    assertEquals(RequestParser.DEFAULT_DEDUP_NANOS, call.dedupNanos);
  }

  @Test
  void aRequestWithoutDeadlineGetsTheServersDefaultOrNone() {
    RequestParser.CallStart none = start(parser, request("Unary"));
    RequestParser.CallStart defaulted = start(
        new RequestParser(MAX_MESSAGE, MAX_METADATA, DEFAULT_DEADLINE),
        request("Unary"));

    assertEquals(-1, none.timeoutNanos);
    assertNull(none.headers.get(GrpcUtil.TIMEOUT_KEY));
    assertEquals(DEFAULT_DEADLINE, defaulted.timeoutNanos);
    assertEquals(DEFAULT_DEADLINE, defaulted.serverDefaultNanos);
    assertEquals(RequestParser.DEFAULT_DEDUP_NANOS, defaulted.dedupNanos,
        "the reply cache keeps a call as long as the request asked, not the server's default");
  }

  @Test
  void aLongDeadlineKeepsTheFinishedCallLonger() {
    RequestParser.CallStart call = start(parser, request("Unary").prop("grpc-timeout", "5M"));

    assertEquals(TimeUnit.MINUTES.toNanos(5), call.dedupNanos);
  }

  @Test
  void carriesMethodFormatMetadataAndTheFirstFrame() {
    Request request = request("Unary").contentType("application/json").prop("x-user", "ada");
    Frame frame = request.frame();
    RequestParser.CallStart call = parser.parse(request.route(), frame).call;

    assertEquals(SERVICE + "/Unary", call.fullMethod);
    assertEquals(PayloadFormat.JSON, call.format);
    assertEquals("ada", call.headers.get(
        io.grpc.Metadata.Key.of("x-user", io.grpc.Metadata.ASCII_STRING_MARSHALLER)));
    assertEquals(frame, call.first);
    assertNotNull(call.entry);
  }

  @Test
  void anUnknownMethodOfAHostedServiceStartsForGrpcToAnswer() {
    RequestParser.CallStart call = start(parser, request("Nope"));

    assertEquals(SERVICE + "/Nope", call.fullMethod);
    assertNull(call.entry, "gRPC's own registry answers it UNIMPLEMENTED");
  }

  private static RequestParser.CallStart start(RequestParser parser, Request request) {
    RequestParser.Parsed parsed = parser.parse(request.route(), request.frame());
    assertNull(parsed.refusal, () -> "refused: " + parsed.refusal);
    return parsed.call;
  }

  private static Arguments refusal(
      String name, Request request, Status.Code code, String description) {
    return Arguments.of(name, request, code, description);
  }

  private static Request request(String method) {
    return new Request("grpc/" + SERVICE + "/" + method);
  }

  /** A request PUBLISH as a caller would send it: answerable, correlated, protobuf. */
  private static final class Request {
    private final String topic;
    private final List<MqttUserProperty> props = new ArrayList<>();
    private byte[] payload = "hi".getBytes(StandardCharsets.UTF_8);
    private String responseTopic = "c/_reply/me";
    private byte[] correlation = {1, 2};
    private String contentType;
    private Long expiry;

    Request(String topic) {
      this.topic = topic;
    }

    Request prop(String key, String value) {
      props.add(new MqttUserProperty(key, value));
      return this;
    }

    Request payload(int size) {
      payload = new byte[size];
      return this;
    }

    Request responseTopic(String topic) {
      responseTopic = topic;
      return this;
    }

    Request correlation(byte[] data) {
      correlation = data;
      return this;
    }

    Request contentType(String type) {
      contentType = type;
      return this;
    }

    Request expiry(Long seconds) {
      expiry = seconds;
      return this;
    }

    RequestRoute route() {
      return REGISTRY.routes().route(topic);
    }

    Frame frame() {
      PublishProperties p = new PublishProperties();
      p.setResponseTopic(responseTopic);
      p.setCorrelationData(correlation);
      p.setContentType(contentType);
      p.setMessageExpiryInterval(expiry);
      p.setUserProperties(new ArrayList<>(props));
      return Frame.of(topic, payload, p);
    }

    @Override
    public String toString() {
      return topic + " " + props;
    }
  }
}
