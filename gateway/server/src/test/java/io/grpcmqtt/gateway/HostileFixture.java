package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.gateway.HostileRequests.AckCall;
import io.grpcmqtt.gateway.HostileRequests.BrokenJson;
import io.grpcmqtt.gateway.HostileRequests.DeviceSend;
import io.grpcmqtt.gateway.HostileRequests.Ingest;
import io.grpcmqtt.gateway.HostileRequests.JsonSend;
import io.grpcmqtt.gateway.HostileRequests.MutatedProtobuf;
import io.grpcmqtt.gateway.HostileRequests.RawRefused;
import io.grpcmqtt.gateway.HostileRequests.ReceiveCall;
import io.grpcmqtt.gateway.HostileRequests.Req;
import io.grpcmqtt.gateway.HostileRequests.RpcSend;
import io.grpcmqtt.gateway.HostileRequests.SendSpec;
import io.grpcmqtt.gateway.HostileRequests.VanishingStream;
import io.grpcmqtt.gateway.internal.MqttBridge;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * One Gateway (with an ingest filter and the mirror on) on one broker and one store, the clients
 * that attack it, and the book of what it must hold: {@link #run} sends a batch of hostile
 * requests and checks every reply, {@link #verify} checks the store, the mirror, a well-behaved
 * client, threads and heap. Calls made with generated stubs (Send, Receive, Ack) go over MQTT and
 * plain HTTP/2 in turn: the rules are the same on every transport.
 */
final class HostileFixture implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);

  final String name;
  private final TestBroker broker;
  private final StoreKind.Location location;
  private final TestGateway gw;
  private final ManagedChannel http2;
  private int stubCalls;
  int http2Calls;
  private final String base;
  private final String replyTopic;
  private final Mqtt device;
  private final Mqtt publisher;
  private final Mqtt watcher;
  private final Map<String, Mqtt.Received> replies = new HashMap<>();
  private final Map<String, Set<String>> mirrored = new ConcurrentHashMap<>();

  /** Per queue topic: the payloads (hex) it must hold, and the ids known for them. */
  private final Map<String, List<String>> expected = new LinkedHashMap<>();
  private final Map<String, Set<String>> expectedIds = new LinkedHashMap<>();
  /** Topics outside the generated ones that a mutated request got stored on. */
  private final Set<String> otherTopics = new LinkedHashSet<>();
  /** (topic, idempotency key) -> the msg_id of the Send that stored it. */
  private final Map<String, String> keys = new HashMap<>();
  private final Set<String> ingestTopics = new LinkedHashSet<>();
  private long serial;
  private int correlation;
  int requests;
  int refusedRequests;
  int vanishedStreams;
  private long baselineThreads = -1;
  private long baselineHeap = -1;
  long maxThreads;
  long maxHeap;

  HostileFixture(TestBroker broker, StoreKind kind) throws Exception {
    this.name = broker.name() + "+" + kind;
    this.broker = broker;
    this.base = "hostile" + ProcessHandle.current().pid() + "n" + COUNTER.incrementAndGet();
    this.location = kind.newLocation();
    this.gw = new TestGateway(broker, location, b -> b.maxPayloadBytes(HostileRequests.MAX_PAYLOAD).ingest(base + "/in/#"));
    this.http2 = Transport.HTTP2.channel(gw);
    this.replyTopic = "devices/" + UUID.randomUUID() + "/reply";
    this.device = new Mqtt(broker.uri());
    device.subscribe(replyTopic);
    this.publisher = new Mqtt(broker.uri());
    this.watcher = new Mqtt(broker.uri());
    watcher.subscribe(base + "/#");
  }

  // --- running requests --------------------------------------------------------------------

  void run(List<Req> batch) throws Exception {
    for (Req r : batch) {
      requests++;
      if (r instanceof RpcSend s) {
        rpcSend(s.send());
      } else if (r instanceof JsonSend s) {
        jsonSend(s.send(), s.withContentType());
      } else if (r instanceof BrokenJson j) {
        unknownSend(rawCall("Send", j.text().getBytes(StandardCharsets.UTF_8), "application/json"),
            () -> parseJson(j.text()));
      } else if (r instanceof MutatedProtobuf m) {
        mutated(m);
      } else if (r instanceof DeviceSend d) {
        deviceSend(d);
      } else if (r instanceof Ingest i) {
        ingest(i);
      } else if (r instanceof RawRefused raw) {
        rawRefused(raw);
      } else if (r instanceof ReceiveCall c) {
        receiveCall(c);
      } else if (r instanceof AckCall a) {
        ackCall(a);
      } else if (r instanceof VanishingStream v) {
        vanishingStream(v);
      } else {
        throw new AssertionError(r);
      }
    }
  }

  private void rpcSend(SendSpec spec) {
    SendRequest request = sendRequest(spec);
    try {
      String id = stub().send(request).getMsgId();
      assertTrue(spec.valid(), "accepted a broken Send: " + spec);
      accepted(request, id);
    } catch (StatusRuntimeException e) {
      refused(spec, e.getStatus());
    }
  }

  private void jsonSend(SendSpec spec, boolean withContentType) throws Exception {
    SendRequest request = sendRequest(spec);
    Mqtt.Received reply = rawCall("Send", json(request).getBytes(StandardCharsets.UTF_8),
        withContentType ? "application/json" : null);
    Status.Code code = code(reply);
    if (!withContentType) {
      assertEquals(Status.Code.INVALID_ARGUMENT, code, "JSON read as protobuf: " + reply.property("grpc-message"));
      refusedRequests++;
      return;
    }
    if (code == Status.Code.OK) {
      assertTrue(spec.valid(), "accepted a broken JSON Send: " + spec);
      SendResponse.Builder r = SendResponse.newBuilder();
      JsonFormat.parser().merge(new String(reply.message().getPayload(), StandardCharsets.UTF_8), r);
      accepted(request, r.getMsgId());
    } else {
      refused(spec, Status.fromCode(code).withDescription(reply.property("grpc-message")));
    }
  }

  private void refused(SendSpec spec, Status status) {
    refusedRequests++;
    assertFalse(spec.valid(), "refused a valid Send " + spec + ": " + status);
    assertTrue(REFUSALS.contains(status.getCode()), "refusal with " + status + " for " + spec);
  }

  /** A request whose validity is not known by construction: if it was stored, learn what was. */
  private interface Parse {
    SendRequest parse() throws Exception;
  }

  private void unknownSend(Mqtt.Received reply, Parse parse) throws Exception {
    Status.Code code = code(reply);
    if (code != Status.Code.OK) {
      refusedRequests++;
      assertTrue(REFUSALS.contains(code), code + " " + reply.property("grpc-message"));
      return;
    }
    SendRequest request = parse.parse();
    SendResponse response = reply.message().getProperties().getContentType() != null
        ? json(reply, SendResponse.newBuilder()) : SendResponse.parseFrom(reply.message().getPayload());
    if (!request.getTopic().startsWith(base + "/q/")) {
      otherTopics.add(request.getTopic());
    }
    accepted(request, response.getMsgId());
  }

  private static SendResponse json(Mqtt.Received reply, SendResponse.Builder b) throws InvalidProtocolBufferException {
    JsonFormat.parser().merge(new String(reply.message().getPayload(), StandardCharsets.UTF_8), b);
    return b.build();
  }

  private static SendRequest parseJson(String text) throws InvalidProtocolBufferException {
    SendRequest.Builder b = SendRequest.newBuilder();
    JsonFormat.parser().merge(text, b);
    return b.build();
  }

  private void mutated(MutatedProtobuf m) throws Exception {
    byte[] valid = switch (m.method()) {
      case "Send" -> SendRequest.newBuilder().setTopic(base + "/q/0").setPayload(ByteString.copyFromUtf8("mutated"))
          .putHeaders("unit", "C").build().toByteArray();
      case "Ack" -> AckRequest.newBuilder().setTopic(base + "/ack/m").setMsgId("1").build().toByteArray();
      default -> ReceiveRequest.newBuilder().setTopic(base + "/recv/m").setLimit(1).setVisibilityTimeoutMs(60_000)
          .build().toByteArray();
    };
    byte[] bytes = valid.clone();
    for (int flip : m.flips()) {
      bytes[flip % bytes.length] ^= (byte) (0x55 + flip);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, Math.max(0, bytes.length - m.cut() % (bytes.length + 1)));
    for (int i = 0; i < m.garbage(); i++) {
      out.write(0x80 | (i * 37));
    }
    byte[] request = out.toByteArray();
    Mqtt.Received reply = rawCall(m.method(), request, null);
    if (m.method().equals("Send")) {
      unknownSend(reply, () -> SendRequest.parseFrom(request));
    } else if (reply.property("grpc-status") != null) {
      Status.Code code = code(reply);
      assertTrue(code == Status.Code.OK || REFUSALS.contains(code) || code == Status.Code.NOT_FOUND,
          code + " " + reply.property("grpc-message"));
    } else {
      // A ReceiveStream that opened: its first frame is the accept.
      assertEquals("accept", reply.property("grpc-ctl"), m.toString());
    }
  }

  private void deviceSend(DeviceSend d) throws Exception {
    String topic = d.topic().render(base, gw.prefix);
    byte[] payload = payload(d.payloadBytes());
    if (!d.withReply()) {
      publisher.publish("gateway/send/" + topic, payload);
      if (d.valid()) {
        expect(topic, payload, null);
      }
      return;
    }
    Mqtt.Received reply = request("gateway/send/" + topic, payload, null);
    Status.Code code = code(reply);
    if (d.valid()) {
      assertEquals(Status.Code.OK, code, d + ": " + reply.property("grpc-message"));
      expect(topic, payload, SendResponse.parseFrom(reply.message().getPayload()).getMsgId());
    } else {
      refusedRequests++;
      assertTrue(REFUSALS.contains(code), d + ": " + code + " " + reply.property("grpc-message"));
    }
  }

  private void ingest(Ingest i) throws Exception {
    String topic = base + "/in/" + i.level();
    byte[] payload = payload(i.payloadBytes());
    UserProperty[] props = i.properties().entrySet().stream()
        .map(e -> new UserProperty(e.getKey(), e.getValue())).toArray(UserProperty[]::new);
    publisher.publish(topic, payload, props);
    if (i.stored()) {
      ingestTopics.add(topic);
      expect(topic, payload, null);
    }
  }

  private void rawRefused(RawRefused raw) throws Exception {
    byte[] bad = HostileRequests.RAW_REFUSED.get(raw.bad());
    String topic = switch (raw.path()) {
      case 0 -> gw.prefix + "/" + Gateway.SERVICE + "/Send";
      case 1 -> "gateway/send/" + base + "/q/0/x";
      default -> base + "/in/x";
    };
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    t.writeBytes(topic.getBytes(StandardCharsets.UTF_8));
    RawMqtt.Property[] props = {};
    if (raw.inProperty()) {
      ByteArrayOutputStream v = new ByteArrayOutputStream();
      v.write('v');
      v.writeBytes(bad);
      props = new RawMqtt.Property[] {new RawMqtt.Property("k".getBytes(StandardCharsets.UTF_8), v.toByteArray())};
    } else {
      t.writeBytes(bad);
    }
    byte[] payload = raw.path() == 0
        ? SendRequest.newBuilder().setTopic(base + "/q/0").build().toByteArray() : new byte[] {'x'};
    try (RawMqtt client = new RawMqtt(broker.host(), broker.port())) {
      assertFalse(client.publish(t.toByteArray(), payload, 1, null, null, null, props),
          "the broker forwarded " + HexFormat.of().formatHex(bad) + (raw.inProperty() ? " in a property" : " in the topic"));
    }
    refusedRequests++;
  }

  private void receiveCall(ReceiveCall c) throws Exception {
    String topic = c.topic().render(base + "/recv", gw.prefix);
    ReceiveRequest request = ReceiveRequest.newBuilder().setTopic(topic).setLimit(c.limit())
        .setVisibilityTimeoutMs(c.visibilityMs()).build();
    boolean valid = c.topic().valid() && Integer.toUnsignedLong(c.limit()) <= GatewayLimits.MAX_RECEIVE_LIMIT
        && Integer.toUnsignedLong(c.visibilityMs()) <= GatewayLimits.MAX_VISIBILITY_TIMEOUT_MS;
    if (c.stream()) {
      StreamClient stream = StreamClient.open(gw, request);
      if (valid) {
        stream.cancel();
      } else {
        Throwable t = stream.done.handle((v, e) -> e).get(15, TimeUnit.SECONDS);
        assertNotNull(t, "a broken ReceiveStream ended OK: " + c);
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(t).getCode(), c + ": " + t);
        refusedRequests++;
      }
      return;
    }
    try {
      int got = stub().receive(request).getMessagesCount();
      assertTrue(valid, "accepted a broken Receive: " + c);
      assertEquals(0, got, "nothing is ever sent to " + topic);
    } catch (StatusRuntimeException e) {
      refusedRequests++;
      assertFalse(valid, c + ": " + e.getStatus());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), c + ": " + e.getStatus());
    }
  }

  private void ackCall(AckCall a) {
    String topic = a.topic().render(base + "/ack", gw.prefix);
    try {
      stub().ack(AckRequest.newBuilder().setTopic(topic).setMsgId(a.msgId()).build());
      fail("an Ack of nothing succeeded: " + a);
    } catch (StatusRuntimeException e) {
      Status.Code want = a.topic().valid() && !a.msgId().isEmpty() ? Status.Code.NOT_FOUND : Status.Code.INVALID_ARGUMENT;
      assertEquals(want, e.getStatus().getCode(), a + ": " + e.getStatus());
      refusedRequests++;
    }
  }

  private void vanishingStream(VanishingStream v) throws Exception {
    Mqtt client = new Mqtt(broker.uri());
    String reply = "devices/" + UUID.randomUUID() + "/reply";
    client.subscribe(reply);
    client.request(gw.prefix + "/" + Gateway.SERVICE + "/ReceiveStream",
        ReceiveRequest.newBuilder().setTopic(base + "/vanish").setLimit(v.limit()).build().toByteArray(), reply, "s", null);
    Mqtt.Received first = client.next();
    assertEquals("accept", first.property("grpc-ctl"), "the stream opened");
    client.client.disconnectForcibly(0, 1_000, false); // no will, no DISCONNECT
    client.client.close(true);
    vanishedStreams++;
  }

  /** A stub for the next call: over MQTT and HTTP/2 in turn. */
  private RobustMQGatewayGrpc.RobustMQGatewayBlockingStub stub() {
    ManagedChannel channel = gw.channel;
    if (++stubCalls % 2 == 0) {
      channel = http2;
      http2Calls++;
    }
    return RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS);
  }

  // --- plain-MQTT calls ----------------------------------------------------------------------

  private Mqtt.Received rawCall(String method, byte[] payload, String contentType) throws Exception {
    return request(gw.prefix + "/" + Gateway.SERVICE + "/" + method, payload, contentType);
  }

  /** Publishes with the reply topic and a fresh correlation; returns the first reply (at most 25 s). */
  private Mqtt.Received request(String topic, byte[] payload, String contentType) throws Exception {
    String corr = "c" + ++correlation;
    device.request(topic, payload, replyTopic, corr, contentType);
    // A Receive may wait up to 20 s (max_wait_ms cap) for a message that never comes.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
    while (!replies.containsKey(corr)) {
      Mqtt.Received r = device.received.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (r == null) {
        fail("no reply within 25 s to a request on " + topic);
      }
      byte[] c = r.message().getProperties().getCorrelationData();
      replies.putIfAbsent(c == null ? "" : new String(c, StandardCharsets.UTF_8), r);
    }
    return replies.remove(corr);
  }

  private static Status.Code code(Mqtt.Received reply) {
    String status = reply.property("grpc-status");
    assertNotNull(status, "a reply without grpc-status (ctl " + reply.property("grpc-ctl") + ")");
    return Status.fromCodeValue(Integer.parseInt(status)).getCode();
  }

  // --- the book ------------------------------------------------------------------------------

  private SendRequest sendRequest(SendSpec spec) {
    return SendRequest.newBuilder().setTopic(spec.topic().render(base, gw.prefix))
        .setPayload(ByteString.copyFrom(spec.payload(++serial))).putAllHeaders(spec.headers().headers())
        .setIdempotencyKey(spec.key()).build();
  }

  private byte[] payload(int bytes) {
    return new SendSpec(null, null, bytes, "", true).payload(++serial);
  }

  /** A Send answered OK with {@code id}: stored once per (topic, key). */
  private void accepted(SendRequest request, String id) {
    String key = request.getIdempotencyKey().isEmpty() ? null : request.getTopic() + "\n" + request.getIdempotencyKey();
    if (key != null && keys.containsKey(key)) {
      assertEquals(keys.get(key), id, "a retry with key " + request.getIdempotencyKey() + " got another msg_id");
      return;
    }
    if (key != null) {
      keys.put(key, id);
    }
    expect(request.getTopic(), request.getPayload().toByteArray(), id);
  }

  private void expect(String topic, byte[] payload, String id) {
    expected.computeIfAbsent(topic, t -> new ArrayList<>()).add(HexFormat.of().formatHex(payload));
    if (id != null) {
      expectedIds.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(id);
    }
  }

  /**
   * The store holds exactly what was accepted (each queue drained, then acknowledged); the mirror
   * carried every stored Send (not the ingested messages, whose subscribers had them); a
   * well-behaved client is served; threads and heap stay bounded.
   */
  void verify() throws Exception {
    String health = base + "/health";
    long t0 = System.nanoTime();
    String id = GatewaySemanticsTest.send(gw, health, "ok");
    List<Message> h = GatewaySemanticsTest.receive(gw, health, 10, 5_000, 0);
    assertEquals(List.of(id), h.stream().map(Message::getMsgId).toList(), "a well-behaved client is served");
    gw.blocking().ack(AckRequest.newBuilder().setTopic(health).setMsgId(id).build());
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "served promptly");

    Set<String> topics = new LinkedHashSet<>(expected.keySet());
    topics.addAll(otherTopics);
    for (int q = 0; q < 4; q++) {
      topics.add(base + "/q/" + q);
    }
    List<Message> mirrorable = new ArrayList<>();
    for (String topic : topics) {
      List<String> want = expected.getOrDefault(topic, List.of());
      List<Message> got = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      // One-way publishes arrive on their own time: wait for as many as are due, then check none more.
      while (got.size() < want.size() && System.nanoTime() < end) {
        got.addAll(GatewaySemanticsTest.receive(gw, topic, 1_000, 1_000, 600_000));
      }
      got.addAll(GatewaySemanticsTest.receive(gw, topic, 1_000, 0, 600_000));
      List<String> payloads = new ArrayList<>(got.stream().map(m -> HexFormat.of().formatHex(m.getPayload().toByteArray())).toList());
      List<String> sortedWant = new ArrayList<>(want);
      sortedWant.sort(null);
      payloads.sort(null);
      assertEquals(sortedWant, payloads, "the messages stored on " + io.grpcmqtt.gateway.internal.MqttText.quote(topic));
      Set<String> ids = got.stream().map(Message::getMsgId).collect(java.util.stream.Collectors.toSet());
      assertTrue(ids.containsAll(expectedIds.getOrDefault(topic, Set.of())), "ids on " + topic);
      if (!ingestTopics.contains(topic)) {
        mirrorable.addAll(got);
      }
      for (Message m : got) {
        gw.blocking().ack(AckRequest.newBuilder().setTopic(topic).setMsgId(m.getMsgId()).build());
      }
    }
    // The mirror lost nothing (each stored Send was published once), and echoed no ingest.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (Message m : mirrorable) {
      if (!m.getTopic().startsWith(base + "/")) {
        continue;
      }
      while (!mirroredIds().contains(m.getMsgId()) && System.nanoTime() < end) {
        collectMirror(100);
      }
      assertTrue(mirroredIds().contains(m.getMsgId()), "message " + m.getMsgId() + " of " + m.getTopic() + " was not mirrored");
    }
    collectMirror(0);
    for (String topic : ingestTopics) {
      assertTrue(mirrored.getOrDefault(topic, Set.of()).isEmpty(), "an ingested message was mirrored back onto " + topic);
    }
    expected.clear();
    expectedIds.clear();
    otherTopics.clear();
    ingestTopics.clear();
    measure();
  }

  private Set<String> mirroredIds() {
    Set<String> all = new java.util.HashSet<>();
    mirrored.values().forEach(all::addAll);
    return all;
  }

  private void collectMirror(long waitMillis) throws InterruptedException {
    Mqtt.Received r = watcher.received.poll(waitMillis, TimeUnit.MILLISECONDS);
    while (r != null) {
      String id = r.property(MqttBridge.MSG_ID_PROPERTY);
      if (id != null && !id.equals(HostileRequests.MIRROR_MARKER)) {
        mirrored.computeIfAbsent(r.topic(), t -> ConcurrentHashMap.newKeySet()).add(id);
      }
      r = watcher.received.poll();
    }
  }

  private void measure() {
    System.gc();
    long threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    if (baselineThreads < 0) {
      baselineThreads = threads;
      baselineHeap = heap;
    }
    maxThreads = Math.max(maxThreads, threads - baselineThreads);
    maxHeap = Math.max(maxHeap, heap - baselineHeap);
    // Every vanished stream is one open call until the runtime ends it: bounded by their number,
    // never by the number of requests. No thread per call or per waiting consumer.
    assertTrue(threads - baselineThreads <= 20, "threads grew from " + baselineThreads + " to " + threads);
    assertTrue(heap - baselineHeap <= 128L * 1024 * 1024, "heap grew from " + baselineHeap + " to " + heap);
  }

  /** JSON as a device would write it: every non-ASCII or control char escaped, lone surrogates too. */
  static String json(SendRequest r) {
    StringBuilder b = new StringBuilder("{\"topic\":").append(jsonString(r.getTopic()));
    b.append(",\"payload\":\"").append(Base64.getEncoder().encodeToString(r.getPayload().toByteArray())).append('"');
    if (r.getHeadersCount() > 0) {
      b.append(",\"headers\":{");
      String sep = "";
      for (Map.Entry<String, String> h : r.getHeadersMap().entrySet()) {
        b.append(sep).append(jsonString(h.getKey())).append(':').append(jsonString(h.getValue()));
        sep = ",";
      }
      b.append('}');
    }
    if (!r.getIdempotencyKey().isEmpty()) {
      b.append(",\"idempotencyKey\":").append(jsonString(r.getIdempotencyKey()));
    }
    return b.append('}').toString();
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public void close() throws Exception {
    http2.shutdownNow();
    for (AutoCloseable c : new AutoCloseable[] {device, publisher, watcher, gw, location}) {
      try {
        c.close();
      } catch (Exception e) {
        // closing everything regardless
      }
    }
  }
}
