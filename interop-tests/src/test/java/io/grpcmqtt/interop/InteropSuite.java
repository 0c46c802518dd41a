package io.grpcmqtt.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.io.ByteStreams;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.GrpcUtil;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.interop.proto.EchoStatus;
import io.grpcmqtt.interop.proto.Empty;
import io.grpcmqtt.interop.proto.Payload;
import io.grpcmqtt.interop.proto.ResponseParameters;
import io.grpcmqtt.interop.proto.SimpleRequest;
import io.grpcmqtt.interop.proto.SimpleResponse;
import io.grpcmqtt.interop.proto.StreamingInputCallRequest;
import io.grpcmqtt.interop.proto.StreamingInputCallResponse;
import io.grpcmqtt.interop.proto.StreamingOutputCallRequest;
import io.grpcmqtt.interop.proto.StreamingOutputCallResponse;
import io.grpcmqtt.interop.proto.TestServiceGrpc;
import io.grpcmqtt.interop.proto.UnimplementedServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test cases of grpc-java's interop suite ({@code AbstractInteropTest}, the suite grpc-java's
 * own transports pass), run over MQTT with the public builders: an {@link MqttServerBuilder}
 * server and an {@link MqttChannelBuilder} channel on the broker a subclass names, both accepting
 * 16 MiB messages as grpc-java's transport tests configure them. Each case asserts what the
 * original asserts: responses, statuses and their exact texts, metadata, deadlines, flow control,
 * and what both ends' stream tracers are told (final status, message events and sizes). Where MQTT
 * makes an assertion impossible the case says why.
 *
 * <p>grpc-java's own suite ships as {@code io.grpc:grpc-interop-testing}, which the Maven
 * repository this project builds from does not serve (no version of it resolves), and it would
 * bring JUnit 4, OpenCensus and Google auth along. So the cases are written here, one for each
 * {@code @Test} of {@code AbstractInteropTest} at grpc-java 1.83, against the same service
 * definition ({@code grpc.testing.TestService}, wire-compatible with every gRPC interop client
 * and server); the census metrics it also checks are covered by {@code OpenTelemetryTest}.
 */
@Timeout(60)
abstract class InteropSuite {
  /** Both ends' message limit: the 10 MiB cases plus room, as in grpc-java's transport tests. */
  static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
  static final int LARGE_PAYLOAD = 10 * 1024 * 1024;
  static final Metadata.Key<StringValue> METADATA_KEY =
      ProtoUtils.keyForProto(StringValue.getDefaultInstance());
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static final Empty EMPTY = Empty.getDefaultInstance();

  private final BlockingQueue<RecordingTracer> clientTracers = new LinkedBlockingQueue<>();
  private final BlockingQueue<RecordingTracer> serverTracers = new LinkedBlockingQueue<>();
  private final AtomicReference<Metadata> requestHeaders = new AtomicReference<>();
  private final AtomicReference<ClientCall<?, ?>> clientCall = new AtomicReference<>();
  private ScheduledExecutorService timer;
  private String prefix;
  private Server server;
  protected ManagedChannel channel;
  protected TestServiceGrpc.TestServiceBlockingStub blockingStub;
  protected TestServiceGrpc.TestServiceStub asyncStub;

  /** The broker both ends use. */
  protected abstract TestBroker broker();

  private final ClientInterceptor tracing = new ClientInterceptor() {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      return next.newCall(method,
          options.withStreamTracerFactory(RecordingTracer.clientFactory(clientTracers)));
    }
  };

  MqttChannelBuilder channelBuilder() {
    return MqttChannelBuilder.forBroker(broker().uri())
        .topicPrefix(prefix)
        .maxInboundMessageSize(MAX_MESSAGE_SIZE);
  }

  @BeforeEach
  void setUp() throws IOException {
    prefix = "interop" + ProcessHandle.current().pid() + "x" + PREFIXES.incrementAndGet();
    timer = Executors.newScheduledThreadPool(2);
    server = MqttServerBuilder.forBroker(broker().uri())
        .topicPrefix(prefix)
        .maxInboundMessageSize(MAX_MESSAGE_SIZE)
        .addService(ServerInterceptors.intercept(new InteropService(timer),
            InteropService.echoMetadata(METADATA_KEY), captureHeaders()))
        .addStreamTracerFactory(RecordingTracer.serverFactory(serverTracers))
        .build()
        .start();
    channel = channelBuilder().build();
    blockingStub = TestServiceGrpc.newBlockingStub(channel).withInterceptors(tracing);
    asyncStub = TestServiceGrpc.newStub(channel).withInterceptors(tracing);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  // --- the cases, in the order of AbstractInteropTest ---

  @Test
  void emptyUnary() {
    assertEquals(EMPTY, blockingStub.emptyCall(EMPTY));
  }

  @Test
  void emptyUnaryWithRetriableStream() throws InterruptedException {
    channel.shutdown();
    channel = channelBuilder().enableRetry().build();
    assertEquals(EMPTY, TestServiceGrpc.newBlockingStub(channel).emptyCall(EMPTY));
  }

  @Test
  void largeUnary() throws Exception {
    SimpleRequest request = SimpleRequest.newBuilder()
        .setResponseSize(314_159).setPayload(zeros(271_828)).build();
    SimpleResponse golden = SimpleResponse.newBuilder().setPayload(zeros(314_159)).build();
    assertEquals(golden.getPayload().getBody(), blockingStub.unaryCall(request).getPayload().getBody());
    assertStatsTrace("grpc.testing.TestService/UnaryCall", Status.Code.OK, List.of(request), List.of(golden));
  }

  /** The Java API cannot see whether a response was compressed: both requests must succeed. */
  @Test
  void serverCompressedUnary() throws Exception {
    for (boolean compressed : new boolean[] {true, false}) {
      SimpleRequest request = SimpleRequest.newBuilder()
          .setResponseCompressed(io.grpcmqtt.interop.proto.BoolValue.newBuilder().setValue(compressed))
          .setResponseSize(314_159).setPayload(zeros(271_828)).build();
      SimpleResponse golden = SimpleResponse.newBuilder().setPayload(zeros(314_159)).build();
      assertEquals(golden.getPayload(), blockingStub.unaryCall(request).getPayload());
      assertStatsTrace("grpc.testing.TestService/UnaryCall", Status.Code.OK, List.of(request), List.of(golden));
    }
  }

  @Test
  void serverStreaming() throws Exception {
    int[] sizes = {31_415, 9, 2_653, 58_979};
    StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder();
    for (int size : sizes) {
      request.addResponseParameters(ResponseParameters.newBuilder().setSize(size));
    }
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    asyncStub.streamingOutputCall(request.build(), recorder);
    recorder.await(10).assertSuccess();
    assertSizes(sizes, recorder.values());
  }

  @Test
  void clientStreaming() throws Exception {
    Recorder<StreamingInputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingInputCallRequest> requests = asyncStub.streamingInputCall(recorder);
    for (int size : new int[] {27_182, 8, 1_828, 45_904}) {
      requests.onNext(StreamingInputCallRequest.newBuilder().setPayload(zeros(size)).build());
    }
    requests.onCompleted();
    recorder.await(10).assertSuccess();
    assertEquals(List.of(StreamingInputCallResponse.newBuilder().setAggregatedPayloadSize(74_922).build()),
        recorder.values());
  }

  @Test
  void pingPong() throws Exception {
    int[] requestSizes = {27_182, 8, 1_828, 45_904};
    int[] responseSizes = {31_415, 9, 2_653, 58_979};
    BlockingQueue<Object> queue = new ArrayBlockingQueue<>(5);
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.fullDuplexCall(queueing(queue));
    for (int i = 0; i < requestSizes.length; i++) {
      assertNull(queue.peek());
      requests.onNext(StreamingOutputCallRequest.newBuilder()
          .addResponseParameters(ResponseParameters.newBuilder().setSize(responseSizes[i]))
          .setPayload(zeros(requestSizes[i])).build());
      Object response = queue.poll(7, TimeUnit.SECONDS);
      assertNotNull(response, "timed out waiting for response " + i);
      if (response instanceof Throwable t) {
        throw new AssertionError(t);
      }
      assertEquals(responseSizes[i],
          ((StreamingOutputCallResponse) response).getPayload().getBody().size());
    }
    requests.onCompleted();
    assertEquals("completed", queue.poll(7, TimeUnit.SECONDS));
  }

  @Test
  void emptyStream() throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    asyncStub.fullDuplexCall(recorder).onCompleted();
    recorder.await(7).assertSuccess();
    assertTrue(recorder.values().isEmpty());
  }

  @Test
  void cancelAfterBegin() throws Exception {
    Recorder<StreamingInputCallResponse> recorder = new Recorder<>();
    asyncStub.streamingInputCall(recorder).onError(new RuntimeException());
    recorder.await(10);
    assertTrue(recorder.values().isEmpty());
    assertEquals(Status.Code.CANCELLED, recorder.status().getCode());
  }

  @Test
  void cancelAfterFirstResponse() throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.fullDuplexCall(recorder);
    requests.onNext(StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder().setSize(31_415))
        .setPayload(zeros(27_182)).build());
    assertEquals(31_415, recorder.first().getPayload().getBody().size());
    requests.onError(new RuntimeException());
    recorder.await(7);
    assertEquals(1, recorder.values().size());
    assertEquals(Status.Code.CANCELLED, recorder.status().getCode());
    assertStatsTrace("grpc.testing.TestService/FullDuplexCall", Status.Code.CANCELLED, null, null);
  }

  @Test
  void fullDuplexCallShouldSucceed() throws Exception {
    int[] sizes = {50, 100, 150, 200};
    StreamingOutputCallRequest request = withResponses(sizes);
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.fullDuplexCall(recorder);
    List<StreamingOutputCallRequest> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(request);
      requests.onNext(request);
    }
    requests.onCompleted();
    recorder.await(10).assertSuccess();
    assertEquals(sizes.length * 10, recorder.values().size());
    for (int i = 0; i < recorder.values().size(); i++) {
      assertEquals(sizes[i % sizes.length], recorder.values().get(i).getPayload().getBody().size(),
          "response " + i);
    }
    assertStatsTrace("grpc.testing.TestService/FullDuplexCall", Status.Code.OK, sent, recorder.values());
  }

  @Test
  void halfDuplexCallShouldSucceed() throws Exception {
    int[] sizes = {50, 100, 150, 200};
    StreamingOutputCallRequest request = withResponses(sizes);
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.halfDuplexCall(recorder);
    for (int i = 0; i < 10; i++) {
      requests.onNext(request);
    }
    requests.onCompleted();
    recorder.await(10).assertSuccess();
    assertEquals(sizes.length * 10, recorder.values().size());
    for (int i = 0; i < recorder.values().size(); i++) {
      assertEquals(sizes[i % sizes.length], recorder.values().get(i).getPayload().getBody().size());
    }
  }

  @Test
  void serverStreamingShouldBeFlowControlled() throws Exception {
    StreamingOutputCallRequest request = withResponses(new int[] {100_000, 100_001});
    long start = System.nanoTime();
    BlockingQueue<Object> queue = new ArrayBlockingQueue<>(10);
    ClientCall<StreamingOutputCallRequest, StreamingOutputCallResponse> call =
        channel.newCall(TestServiceGrpc.getStreamingOutputCallMethod(), CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(StreamingOutputCallResponse message) {
        queue.add(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        queue.add(status);
      }
    }, new Metadata());
    call.sendMessage(request);
    call.halfClose();
    call.request(1);
    Object first = queue.poll(7, TimeUnit.SECONDS);
    assertEquals(100_000, ((StreamingOutputCallResponse) first).getPayload().getBody().size());
    long firstNanos = System.nanoTime() - start;
    // Not asked for: the second response must not be delivered.
    assertNull(queue.poll(Math.max(firstNanos * 4, 1_000_000), TimeUnit.NANOSECONDS));
    call.request(1);
    Object second = queue.poll(7, TimeUnit.SECONDS);
    assertEquals(100_001, ((StreamingOutputCallResponse) second).getPayload().getBody().size());
    assertEquals(Status.OK, queue.poll(7, TimeUnit.SECONDS));
  }

  @Test
  void veryLargeRequest() {
    SimpleRequest request = SimpleRequest.newBuilder()
        .setPayload(zeros(LARGE_PAYLOAD)).setResponseSize(10).build();
    assertEquals(zeros(10), blockingStub.unaryCall(request).getPayload());
  }

  @Test
  void veryLargeResponse() {
    SimpleRequest request = SimpleRequest.newBuilder().setResponseSize(LARGE_PAYLOAD).build();
    assertEquals(zeros(LARGE_PAYLOAD), blockingStub.unaryCall(request).getPayload());
  }

  @Test
  void exchangeMetadataUnaryCall() {
    Metadata headers = new Metadata();
    StringValue dog = StringValue.newBuilder().setValue("dog").build();
    headers.put(METADATA_KEY, dog);
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    assertNotNull(blockingStub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers),
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers)).emptyCall(EMPTY));
    assertEquals(dog, responseHeaders.get().get(METADATA_KEY));
    assertEquals(dog, trailers.get().get(METADATA_KEY));
  }

  @Test
  void exchangeMetadataStreamingCall() throws Exception {
    Metadata headers = new Metadata();
    StringValue dog = StringValue.newBuilder().setValue("dog").build();
    headers.put(METADATA_KEY, dog);
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    TestServiceGrpc.TestServiceStub stub = asyncStub.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(headers),
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));
    StreamingOutputCallRequest request = withResponses(new int[] {50, 100, 150, 200});
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = stub.fullDuplexCall(recorder);
    for (int i = 0; i < 10; i++) {
      requests.onNext(request);
    }
    requests.onCompleted();
    recorder.await(10).assertSuccess();
    assertEquals(40, recorder.values().size());
    assertEquals(dog, responseHeaders.get().get(METADATA_KEY));
    assertEquals(dog, trailers.get().get(METADATA_KEY));
  }

  @Test
  void sendsTimeoutHeader() {
    blockingStub.withDeadlineAfter(100, TimeUnit.MINUTES).emptyCall(EMPTY);
    long minutes = TimeUnit.NANOSECONDS.toMinutes(requestHeaders.get().get(GrpcUtil.TIMEOUT_KEY));
    assertTrue(minutes >= 99 && minutes <= 100, "transferred " + minutes + " minutes");
  }

  @Test
  void deadlineNotExceeded() {
    blockingStub.emptyCall(EMPTY);
    blockingStub.withDeadlineAfter(10, TimeUnit.SECONDS)
        .streamingOutputCall(StreamingOutputCallRequest.newBuilder()
            .addResponseParameters(ResponseParameters.newBuilder().setIntervalUs(0)).build())
        .next();
  }

  @Test
  void deadlineExceeded() throws Exception {
    blockingStub.emptyCall(EMPTY);
    StreamingOutputCallRequest request = StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder()
            .setIntervalUs((int) TimeUnit.SECONDS.toMicros(20)))
        .build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blockingStub.withDeadlineAfter(1, TimeUnit.SECONDS).streamingOutputCall(request).next());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    String description = e.getStatus().getDescription();
    assertTrue(
        // The client's deadline fired first: grpc-java's own text.
        Pattern.matches("CallOptions deadline exceeded after .*s. \\[.*\\]", description)
            || description.startsWith("ClientCall was cancelled at or after deadline.")
            // The server's deadline fired first. Over HTTP/2 grpc-java servers reset the stream
            // and the client words it as above; over MQTT the server's status itself arrives.
            || description.equals("context timed out"),
        description);
    assertStatsTrace("grpc.testing.TestService/EmptyCall", Status.Code.OK, null, null);
  }

  @Test
  void deadlineExceededServerStreaming() throws Exception {
    blockingStub.emptyCall(EMPTY);
    assertStatsTrace("grpc.testing.TestService/EmptyCall", Status.Code.OK, null, null);
    ResponseParameters slow = ResponseParameters.newBuilder().setSize(1).setIntervalUs(10_000).build();
    StreamingOutputCallRequest request = StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(slow).addResponseParameters(slow)
        .addResponseParameters(slow).addResponseParameters(slow).build();
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    asyncStub.withDeadlineAfter(30, TimeUnit.MILLISECONDS).streamingOutputCall(request, recorder);
    recorder.await(10);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, recorder.status().getCode());
  }

  @Test
  void deadlineInPast() {
    for (int round = 0; round < 2; round++) {
      // Once on an idle channel, once on a connected one.
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> blockingStub.withDeadlineAfter(-10, TimeUnit.SECONDS).emptyCall(EMPTY));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription()
          .startsWith("ClientCall started after CallOptions deadline was exceeded"), e.getMessage());
      blockingStub.emptyCall(EMPTY);
    }
  }

  @Test
  void maxInboundSize_exact() {
    StreamingOutputCallRequest request = withResponses(new int[] {1});
    blockingStub.withMaxInboundMessageSize(measuredSizes(request)[1])
        .streamingOutputCall(request).next();
  }

  @Test
  void maxInboundSize_tooBig() {
    StreamingOutputCallRequest request = withResponses(new int[] {1});
    int requestSize = measuredSizes(request)[0];
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blockingStub.withMaxInboundMessageSize(requestSize - 1)
            .streamingOutputCall(request).next());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(stackTrace(e).contains("exceeds maximum"), stackTrace(e));
  }

  @Test
  void maxOutboundSize_exact() {
    StreamingOutputCallRequest request = withResponses(new int[] {1});
    blockingStub.withMaxOutboundMessageSize(measuredSizes(request)[0])
        .streamingOutputCall(request).next();
  }

  @Test
  void maxOutboundSize_tooBig() {
    StreamingOutputCallRequest request = withResponses(new int[] {1});
    int requestSize = measuredSizes(request)[0];
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blockingStub.withMaxOutboundMessageSize(requestSize - 1)
            .streamingOutputCall(request).next());
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
    assertTrue(stackTrace(e).contains("message too large"), stackTrace(e));
  }

  /** The serialized sizes of {@code request} and of its first response, from one real call. */
  private int[] measuredSizes(StreamingOutputCallRequest request) {
    MethodDescriptor<StreamingOutputCallRequest, StreamingOutputCallResponse> md =
        TestServiceGrpc.getStreamingOutputCallMethod();
    SizeRecordingMarshaller<StreamingOutputCallRequest> requests =
        new SizeRecordingMarshaller<>(md.getRequestMarshaller());
    SizeRecordingMarshaller<StreamingOutputCallResponse> responses =
        new SizeRecordingMarshaller<>(md.getResponseMarshaller());
    ClientCalls.blockingServerStreamingCall(channel, md.toBuilder(requests, responses).build(),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request).next();
    return new int[] {requests.lastOut, responses.lastIn};
  }

  @Test
  void gracefulShutdown() throws Exception {
    int[] requestSizes = {2, 7, 1};
    int[] responseSizes = {3, 1, 4};
    BlockingQueue<Object> responses = new ArrayBlockingQueue<>(5);
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.fullDuplexCall(queueing(responses));
    for (int i = 0; i < 3; i++) {
      requests.onNext(StreamingOutputCallRequest.newBuilder()
          .addResponseParameters(ResponseParameters.newBuilder().setSize(responseSizes[i]))
          .setPayload(zeros(requestSizes[i])).build());
      Object response = responses.poll(7, TimeUnit.SECONDS);
      assertTrue(response instanceof StreamingOutputCallResponse, String.valueOf(response));
      assertEquals(responseSizes[i], ((StreamingOutputCallResponse) response).getPayload().getBody().size());
      if (i == 0) {
        channel.shutdown(); // the call goes on; only new calls are refused
      }
    }
    assertNull(responses.peek());
    requests.onCompleted();
    assertEquals("completed", responses.poll(7, TimeUnit.SECONDS));
  }

  @Test
  void customMetadata() throws Exception {
    byte[] trailing = {0xa, 0xb, 0xa, 0xb, 0xa, 0xb};
    SimpleRequest request = SimpleRequest.newBuilder()
        .setResponseSize(314_159).setPayload(zeros(271_828)).build();
    SimpleResponse golden = SimpleResponse.newBuilder().setPayload(zeros(314_159)).build();
    Metadata metadata = new Metadata();
    metadata.put(InteropService.ECHO_INITIAL, "test_initial_metadata_value");
    metadata.put(InteropService.ECHO_TRAILING, trailing);
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    SimpleResponse response = blockingStub.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(metadata),
        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)).unaryCall(request);
    assertEquals(golden.getPayload(), response.getPayload());
    assertEquals("test_initial_metadata_value", headers.get().get(InteropService.ECHO_INITIAL));
    assertArrayEquals(trailing, trailers.get().get(InteropService.ECHO_TRAILING));
    assertStatsTrace("grpc.testing.TestService/UnaryCall", Status.Code.OK, List.of(request), List.of(golden));

    StreamingOutputCallRequest streaming = StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder().setSize(314_159))
        .setPayload(zeros(271_828)).build();
    StreamingOutputCallResponse goldenStreaming =
        StreamingOutputCallResponse.newBuilder().setPayload(zeros(314_159)).build();
    headers.set(null);
    trailers.set(null);
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(metadata),
        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)).fullDuplexCall(recorder);
    requests.onNext(streaming);
    requests.onCompleted();
    recorder.await(10).assertSuccess();
    assertEquals(goldenStreaming, recorder.first());
    assertEquals("test_initial_metadata_value", headers.get().get(InteropService.ECHO_INITIAL));
    assertArrayEquals(trailing, trailers.get().get(InteropService.ECHO_TRAILING));
    assertStatsTrace("grpc.testing.TestService/FullDuplexCall", Status.Code.OK,
        List.of(streaming), List.of(goldenStreaming));
  }

  @Test
  @Disabled("OpenCensus-specific: grpc-java's census module is not used here. Trace context"
      + " propagation through MQTT is tested with grpc-opentelemetry (OpenTelemetryTest)")
  void censusContextsPropagated() {}

  @Test
  void statusCodeAndMessage() throws Exception {
    EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage("test status message").build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blockingStub.unaryCall(SimpleRequest.newBuilder().setResponseStatus(echo).build()));
    assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
    assertEquals("test status message", e.getStatus().getDescription());
    assertStatsTrace("grpc.testing.TestService/UnaryCall", Status.Code.UNKNOWN, null, null);

    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = asyncStub.fullDuplexCall(recorder);
    requests.onNext(StreamingOutputCallRequest.newBuilder().setResponseStatus(echo).build());
    requests.onCompleted();
    recorder.await(7);
    assertEquals(Status.Code.UNKNOWN, recorder.status().getCode());
    assertEquals("test status message", recorder.status().getDescription());
    assertStatsTrace("grpc.testing.TestService/FullDuplexCall", Status.Code.UNKNOWN, null, null);
  }

  @Test
  void specialStatusMessage() throws Exception {
    String message = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \ud83d\ude08\t\n";
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blockingStub.unaryCall(SimpleRequest.newBuilder()
            .setResponseStatus(EchoStatus.newBuilder().setCode(2).setMessage(message)).build()));
    assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
    assertEquals(message, e.getStatus().getDescription());
    assertStatsTrace("grpc.testing.TestService/UnaryCall", Status.Code.UNKNOWN, null, null);
  }

  @Test
  void unimplementedMethod() throws Exception {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blockingStub.unimplementedCall(EMPTY));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertClientStatsTrace(Status.Code.UNIMPLEMENTED, null, null);
  }

  /**
   * No server hosts the service, so no server receives the call and no server tracer exists (over
   * HTTP/2 the one server at the address answers it): only the client's tracer is checked.
   */
  @Test
  void unimplementedService() throws Exception {
    UnimplementedServiceGrpc.UnimplementedServiceBlockingStub stub =
        UnimplementedServiceGrpc.newBlockingStub(channel).withInterceptors(tracing);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub.unimplementedCall(EMPTY));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.getMessage());
    assertClientStatsTrace(Status.Code.UNIMPLEMENTED, null, null);
  }

  @Test
  void timeoutOnSleepingServer() throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests =
        asyncStub.withDeadlineAfter(1, TimeUnit.MILLISECONDS).fullDuplexCall(recorder);
    requests.onNext(StreamingOutputCallRequest.newBuilder().setPayload(zeros(27_182)).build());
    recorder.await(7);
    assertTrue(recorder.values().isEmpty());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, recorder.status().getCode());
  }

  @Test
  void getServerAddressAndLocalAddressFromClient() {
    ClientInterceptor capture = new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        ClientCall<ReqT, RespT> call = next.newCall(method, options);
        clientCall.set(call);
        return call;
      }
    };
    blockingStub.withInterceptors(capture).withDeadlineAfter(5, TimeUnit.SECONDS)
        .unaryCall(SimpleRequest.getDefaultInstance());
    assertNotNull(clientCall.get().getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    assertNotNull(clientCall.get().getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR));
  }

  // --- what both ends' tracers were told ---

  private void assertStatsTrace(String method, Status.Code code,
      Collection<? extends MessageLite> requests, Collection<? extends MessageLite> responses)
      throws InterruptedException {
    assertClientStatsTrace(code, requests, responses);
    RecordingTracer server = serverTracers.poll(5, TimeUnit.SECONDS);
    assertNotNull(server, "no server tracer for " + method);
    assertEquals(method, server.fullMethodName);
    assertNotNull(server.filteredContext);
    assertEquals(code, server.awaitStatus().getCode(), "server tracer's status: " + server.status);
    if (requests != null) {
      checkTracer(server, responses, requests);
    }
  }

  private void assertClientStatsTrace(Status.Code code,
      Collection<? extends MessageLite> requests, Collection<? extends MessageLite> responses)
      throws InterruptedException {
    RecordingTracer client = clientTracers.poll(5, TimeUnit.SECONDS);
    assertNotNull(client, "no client tracer");
    assertTrue(client.outboundHeaders);
    assertEquals(code, client.awaitStatus().getCode(), "client tracer's status: " + client.status);
    if (requests != null) {
      checkTracer(client, requests, responses);
    }
  }

  private static void checkTracer(RecordingTracer tracer, Collection<? extends MessageLite> sent,
      Collection<? extends MessageLite> received) {
    long sentSize = 0;
    int seq = 0;
    for (MessageLite m : sent) {
      assertEquals("outboundMessage(" + seq + ")", tracer.outbound.poll());
      assertEquals("outboundMessageSent(" + seq + ")", tracer.outbound.poll());
      sentSize += m.getSerializedSize();
      seq++;
    }
    assertNull(tracer.outbound.poll());
    long receivedSize = 0;
    seq = 0;
    for (MessageLite m : received) {
      assertEquals("inboundMessage(" + seq + ")", tracer.inbound.poll());
      assertEquals("inboundMessageRead(" + seq + ")", tracer.inbound.poll());
      receivedSize += m.getSerializedSize();
      seq++;
    }
    assertNull(tracer.inbound.poll());
    assertEquals(sentSize, tracer.outboundUncompressed.get());
    assertEquals(receivedSize, tracer.inboundUncompressed.get());
  }

  // --- helpers ---

  private ServerInterceptor captureHeaders() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        requestHeaders.set(headers);
        return next.startCall(call, headers);
      }
    };
  }

  static Payload zeros(int size) {
    return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
  }

  private static StreamingOutputCallRequest withResponses(int[] sizes) {
    StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder();
    for (int size : sizes) {
      request.addResponseParameters(ResponseParameters.newBuilder().setSize(size).setIntervalUs(0));
    }
    return request.build();
  }

  private static void assertSizes(int[] sizes, List<StreamingOutputCallResponse> responses) {
    assertEquals(sizes.length, responses.size());
    for (int i = 0; i < sizes.length; i++) {
      assertEquals(sizes[i], responses.get(i).getPayload().getBody().size());
    }
  }

  private static StreamObserver<StreamingOutputCallResponse> queueing(BlockingQueue<Object> queue) {
    return new StreamObserver<>() {
      @Override
      public void onNext(StreamingOutputCallResponse value) {
        queue.add(value);
      }

      @Override
      public void onError(Throwable t) {
        queue.add(t);
      }

      @Override
      public void onCompleted() {
        queue.add("completed");
      }
    };
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  /** Passes messages through, remembering the size of the last one in each direction. */
  private static final class SizeRecordingMarshaller<T> implements MethodDescriptor.Marshaller<T> {
    private final MethodDescriptor.Marshaller<T> delegate;
    volatile int lastOut;
    volatile int lastIn;

    SizeRecordingMarshaller(MethodDescriptor.Marshaller<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public InputStream stream(T value) {
      byte[] bytes = read(delegate.stream(value));
      lastOut = bytes.length;
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public T parse(InputStream stream) {
      byte[] bytes = read(stream);
      lastIn = bytes.length;
      return delegate.parse(new ByteArrayInputStream(bytes));
    }

    private static byte[] read(InputStream in) {
      try {
        return ByteStreams.toByteArray(in);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
