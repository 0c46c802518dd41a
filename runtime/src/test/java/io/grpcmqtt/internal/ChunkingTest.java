package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chunking layer on its own: sizes, splitting, and reassembly of hostile orderings. */
class ChunkingTest {
  /** The runtime's scheduler, for the reassembly check; released after each test. */
  private final RuntimeExecutors.Lease timer = RuntimeExecutors.acquire();

  @AfterEach
  void releaseTimer() {
    timer.release();
  }

  private static final String TOPIC = "grpc/_reply/grpcmqttc46zbjkveawkvi2";
  private static final int MAX = 131_072;

  private static PublishProperties frame(String... userProps) {
    List<MqttUserProperty> props = new ArrayList<>();
    for (int i = 0; i < userProps.length; i += 2) {
      props.add(new MqttUserProperty(userProps[i], userProps[i + 1]));
    }
    return Publishes.properties(null, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, null, props);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 127, 128, 16_000, 16_384, 200_000, 2_097_152})
  void publishSizeIsWhatPahoEncodes(int payloadLength) throws Exception {
    PublishProperties p = frame("grpc-seq", "12", "x-caf\u00e9-bin", "w6k=", "grpc-status", "0");
    p.setResponseTopic("r\u00e9ponse/\ud83d\ude08");
    p.setContentType("application/json");
    p.setMessageExpiryInterval(30L);
    for (int qos = 0; qos <= 1; qos++) {
      MqttMessage m = new MqttMessage(new byte[payloadLength]);
      m.setQos(qos);
      MqttPublish publish = new MqttPublish("t\u00e9/x", m, toPaho(p));
      if (qos > 0) {
        publish.setMessageId(1);
      }
      int paho = publish.getHeader().length + publish.getPayload().length;
      assertEquals(paho, PublishSize.of("t\u00e9/x", p, payloadLength, qos));
    }
  }

  @Test
  void aFrameThatFitsIsSentWhole() throws Exception {
    PublishProperties p = frame("grpc-seq", "3");
    byte[] payload = new byte[100_000];
    List<ChunkSplitter.Part> parts = ChunkSplitter.split(TOPIC, payload, 1, p, MAX);
    assertEquals(1, parts.size());
    assertTrue(parts.get(0).payload() == payload && parts.get(0).properties() == p);
  }

  @Test
  void everyChunkFitsAndCarriesWhatRoutesIt() throws Exception {
    PublishProperties p = frame("x-h", "v", "grpc-status", "0", "x-t", "w", "grpc-seq", "7");
    p.setContentType("application/json");
    byte[] payload = random(1_000_000, 1);
    List<ChunkSplitter.Part> parts = ChunkSplitter.split(TOPIC, payload, 1, p, MAX);
    assertEquals(8, parts.size());
    for (int i = 0; i < parts.size(); i++) {
      ChunkSplitter.Part part = parts.get(i);
      int size = PublishSize.of(TOPIC, part.properties(), part.payload().length, 1);
      assertTrue(size <= MAX, "chunk " + i + " is " + size + " bytes");
      if (i < parts.size() - 1) {
        assertTrue(size > MAX - 64, "chunk " + i + " wastes room: " + size + " bytes");
      }
      Frame f = decode(part);
      assertEquals(i, f.chunkIndex);
      assertEquals(8, f.chunkCount);
      assertEquals(1_000_000, f.chunkSize);
      assertEquals(7, f.seq);
      assertArrayEquals(p.getCorrelationData(), f.correlation);
      assertEquals(i == 0 ? "application/json" : null, f.contentType);
      assertEquals(i == 0 ? 0 : -1, f.statusIndex == 1 ? 0 : -1);
    }
  }

  @Test
  void propertiesThatAloneExceedTheLimitCannotBeSplit() {
    PublishProperties p = frame("x-big", "v".repeat(MAX));
    PacketTooLargeException e = assertThrows(PacketTooLargeException.class,
        () -> ChunkSplitter.split(TOPIC, new byte[10], 1, p, MAX));
    assertEquals(MAX, e.maxPacketSize);
    assertThrows(PacketTooLargeException.class,
        () -> ChunkSplitter.split(TOPIC, new byte[0], 1, p, MAX));
  }

  @Test
  void reassemblesShuffledDuplicatedInterleavedChunks() throws Exception {
    byte[] a = random(700_000, 2);
    byte[] b = random(300_001, 3);
    List<Frame> chunks = new ArrayList<>();
    for (ChunkSplitter.Part part :
        ChunkSplitter.split(TOPIC, a, 1, frame("grpc-seq", "1", "x-a", "1"), 65_536)) {
      chunks.add(decode(part));
      chunks.add(decode(part));
    }
    for (ChunkSplitter.Part part :
        ChunkSplitter.split(TOPIC, b, 1, frame("grpc-seq", "2", "x-b", "2"), 65_536)) {
      chunks.add(decode(part));
    }
    Collections.shuffle(chunks, new Random(42));
    ReassemblyBudget budget = new ReassemblyBudget(64L << 20);
    ChunkAssembler assembler = requests(budget);
    List<Frame> whole = new ArrayList<>();
    for (Frame chunk : chunks) {
      if (whole.stream().anyMatch(done -> done.seq == chunk.seq)) {
        continue; // the stream's sequence buffer drops chunks of a frame it already has
      }
      Frame f = assembler.offer(chunk, 4 << 20);
      if (f != null) {
        whole.add(f);
      }
    }
    assertEquals(2, whole.size());
    for (Frame f : whole) {
      assertArrayEquals(f.seq == 1 ? a : b, f.payload);
      assertEquals(f.seq == 1 ? "x-a" : "x-b", f.props.get(1).name());
    }
    assertEquals(0, budget.used(), "budget released");
  }

  @Test
  void rejectsForgedAndInconsistentHeaders() throws Exception {
    ReassemblyBudget budget = new ReassemblyBudget(1 << 20);
    ChunkAssembler assembler = requests(budget);
    // Larger than the call's limit: refused before anything is held.
    assertEquals(Status.Code.RESOURCE_EXHAUSTED,
        offerCode(assembler, chunk(1, "0/2/5000000", 10), 4 << 20));
    // Count or size changing within one message.
    assertNull(assembler.offer(chunk(2, "0/3/30", 10), 100));
    assertEquals(Status.Code.INVALID_ARGUMENT, offerCode(assembler, chunk(2, "1/4/30", 10), 100));
    assertEquals(Status.Code.INVALID_ARGUMENT, offerCode(assembler, chunk(2, "1/3/31", 10), 100));
    // More bytes than announced; empty chunks.
    assertEquals(Status.Code.INVALID_ARGUMENT, offerCode(assembler, chunk(2, "1/3/30", 21), 100));
    assertEquals(Status.Code.INVALID_ARGUMENT, offerCode(assembler, chunk(2, "1/3/30", 0), 100));
    // Fewer bytes than announced once every chunk is in.
    assertNull(assembler.offer(chunk(2, "1/3/30", 5), 100));
    assertEquals(Status.Code.INVALID_ARGUMENT, offerCode(assembler, chunk(2, "2/3/30", 5), 100));
    // Too many messages incomplete at once.
    for (int seq = 10; seq < 10 + ChunkAssembler.MAX_INCOMPLETE; seq++) {
      assertNull(assembler.offer(chunk(seq, "0/2/20", 10), 100));
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, offerCode(assembler, chunk(99, "0/2/20", 10), 100));
    assertTrue(budget.used() > 0);
    assembler.clear();
    assertEquals(0, budget.used());
    // Malformed headers never reach the assembler: the frame carries an error.
    for (String bad : new String[] {"x", "1/1/5", "0/0/5", "0/6/5", "-1/2/5", "0/2", "0/2/5/", "0/2/99999999999"}) {
      assertEquals("invalid grpc-chunk '" + bad + "'", chunk(1, bad, 1).error, bad);
    }
  }

  @Test
  void theConnectionBudgetBoundsEveryCall() throws Exception {
    ReassemblyBudget budget = new ReassemblyBudget(100_000);
    ChunkAssembler one = requests(budget);
    ChunkAssembler two = requests(budget);
    assertNull(one.offer(chunk(1, "0/2/160000", 80_000), 1 << 20));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED,
        offerCode(two, chunk(1, "0/2/160000", 80_000), 1 << 20));
    one.clear();
    assertNull(two.offer(chunk(1, "0/2/160000", 80_000), 1 << 20));
  }

  @Test
  void aStalledMessageIsReportedAfterTheTimeout() throws Exception {
    ReassemblyBudget budget = new ReassemblyBudget(1 << 20);
    java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
    ChunkAssembler assembler = new ChunkAssembler(
        budget, "response", MqttClientStream::tooLarge, 50_000_000L, checked::countDown, timer);
    assertNull(assembler.offer(chunk(4, "0/3/30", 10), 100));
    assertTrue(checked.await(10, java.util.concurrent.TimeUnit.SECONDS));
    String stalled = assembler.stalled();
    assertTrue(stalled != null && stalled.startsWith("a chunked response message has had 1 of its 3"
        + " chunks for "), stalled);
  }

  private ChunkAssembler requests(ReassemblyBudget budget) {
    return new ChunkAssembler(budget, "request", MqttServerStream::tooLarge, 30_000_000_000L, () -> {}, timer);
  }

  private static Status.Code offerCode(ChunkAssembler assembler, Frame chunk, int max) {
    StatusException e = assertThrows(StatusException.class, () -> assembler.offer(chunk, max));
    return e.getStatus().getCode();
  }

  private static Frame chunk(long seq, String header, int length) {
    PublishProperties p = frame("grpc-seq", Long.toString(seq), "grpc-chunk", header);
    return Frame.of(TOPIC, new byte[length], p);
  }

  private static Frame decode(ChunkSplitter.Part part) {
    return Frame.of(TOPIC, part.payload(), part.properties());
  }

  /** The same properties as Paho's type, for Paho's own encoder to measure. */
  private static org.eclipse.paho.mqttv5.common.packet.MqttProperties toPaho(PublishProperties p) {
    var paho = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
    paho.setResponseTopic(p.getResponseTopic());
    paho.setCorrelationData(p.getCorrelationData());
    paho.setContentType(p.getContentType());
    paho.setMessageExpiryInterval(p.getMessageExpiryInterval());
    List<org.eclipse.paho.mqttv5.common.packet.UserProperty> user = new ArrayList<>();
    for (MqttUserProperty u : p.getUserProperties()) {
      user.add(new org.eclipse.paho.mqttv5.common.packet.UserProperty(u.name(), u.value()));
    }
    paho.setUserProperties(user);
    return paho;
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
