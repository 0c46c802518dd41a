package io.grpcmqtt.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random and broken requests for {@link HostileInputTest}, each on one path into the Gateway. Each
 * part of a request (topic, headers, payload, key) is generated either valid or with one defect of
 * a known kind, so whether the request must be accepted follows from how it was made — the test
 * needs no second copy of the Gateway's rules. Topics are relative to a base the fixture adds.
 */
final class HostileRequests {
  /** The value of the mirror marker a hostile plain publisher puts on its own publish. */
  static final String MIRROR_MARKER = "not-a-mirror";

  /** The payload limit the hostile Gateways run with. */
  static final int MAX_PAYLOAD = 512;

  /** Characters MQTT cannot carry (Java can encode them in protobuf; surrogates only in JSON). */
  private static final List<String> BAD_CHARS = List.of("\u0000", "\u0001", "\t", "\n", "\r", "\u001f", "\u007f",
      "\u0080", "\u0085", "\u009f", "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\ud83f\udffe", "\udbff\udfff");
  private static final List<String> LONE_SURROGATES = List.of("\ud800", "\udbff", "\udc00", "\udfff");
  /** Text that is fine in a topic level: multi-byte, pairs, spaces, punctuation. */
  private static final List<String> GOOD_LEVELS = List.of("a", "b-1", "ü", "😀", "x y", "1.5", "_");
  private static final java.util.Set<String> GOOD_KEYS = java.util.Set.of("", "k1", "k2", "ключ-3");

  private HostileRequests() {}

  /** How a part of a request is broken. */
  enum Defect {
    NONE, BAD_CHAR, LONE_SURROGATE, EMPTY_LEVEL, WILDCARD, DOLLAR, RESERVED, TOO_LONG
  }

  /** A queue topic {@code q/{queue}[/{level}]}, possibly broken. */
  record TopicSpec(int queue, String level, Defect defect, String defectText, int position) {
    boolean valid() {
      return defect == Defect.NONE;
    }

    /** The topic under {@code base}; {@code rpcPrefix} for the RESERVED defect. */
    String render(String base, String rpcPrefix) {
      String topic = base + "/q/" + queue + (level.isEmpty() ? "" : "/" + level);
      int at = Math.min(position, topic.length());
      return switch (defect) {
        case NONE -> topic;
        case BAD_CHAR, LONE_SURROGATE, WILDCARD -> topic.substring(0, at) + defectText + topic.substring(at);
        case EMPTY_LEVEL -> switch (position % 3) {
          case 0 -> "/" + topic;
          case 1 -> topic + "/";
          default -> topic.replaceFirst("/", "//");
        };
        case DOLLAR -> "$" + topic;
        case RESERVED -> (defectText.equals("rpc") ? rpcPrefix : defectText) + "/" + topic;
        case TOO_LONG -> topic + "/" + "x".repeat(1_100);
      };
    }

    /** The queue's own (valid) topic, where an accepted message lands. */
    String queueTopic(String base) {
      return base + "/q/" + queue + (level.isEmpty() ? "" : "/" + level);
    }
  }

  /** Headers, valid or with one defect. */
  record HeaderSpec(Map<String, String> headers, boolean valid) {}

  /** A Send's parts. {@code key}: "" for none. */
  record SendSpec(TopicSpec topic, HeaderSpec headers, int payloadBytes, String key, boolean keyValid) {
    boolean valid() {
      return topic.valid() && headers.valid() && payloadBytes <= MAX_PAYLOAD && keyValid;
    }

    byte[] payload(long serial) {
      byte[] p = new byte[payloadBytes];
      byte[] tag = Long.toString(serial).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      System.arraycopy(tag, 0, p, 0, Math.min(tag.length, p.length));
      return p;
    }
  }

  /** One request on one path. */
  sealed interface Req permits RpcSend, JsonSend, BrokenJson, MutatedProtobuf, DeviceSend, Ingest, RawRefused,
      ReceiveCall, AckCall, VanishingStream {}

  /** Send through a generated stub (protobuf over grpc-mqtt). */
  record RpcSend(SendSpec send) implements Req {}

  /** Send as JSON from a plain MQTT client; without the content type it must be refused. */
  record JsonSend(SendSpec send, boolean withContentType) implements Req {}

  /** Text that is not a valid JSON SendRequest. */
  record BrokenJson(String text) implements Req {}

  /** A valid protobuf SendRequest with bytes flipped, cut or appended, to a method. */
  record MutatedProtobuf(String method, int cut, List<Integer> flips, int garbage) implements Req {}

  /** A publish on {@code gateway/send/{topic}}, with a Response Topic or one-way. */
  record DeviceSend(TopicSpec topic, int payloadBytes, boolean withReply) implements Req {
    boolean valid() {
      // The device topic cannot hold what MQTT cannot carry: those are RawRefused.
      return topic.valid() && payloadBytes <= MAX_PAYLOAD;
    }
  }

  /** A plain publish on the ingest filter {@code in/#}. */
  record Ingest(String level, boolean levelValid, int payloadBytes, Map<String, String> properties,
      boolean propertiesStored) implements Req {
    boolean stored() {
      return levelValid && payloadBytes <= MAX_PAYLOAD && propertiesStored;
    }
  }

  /**
   * UTF-8 that Mosquitto and HiveMQ refuse from a publisher (they close its connection): NUL, C0
   * and C1 controls, malformed sequences, an encoded surrogate, a noncharacter.
   */
  static final List<byte[]> RAW_REFUSED = List.of(new byte[] {0x00}, new byte[] {0x01}, new byte[] {0x0a},
      new byte[] {(byte) 0xc2, (byte) 0x85}, new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      new byte[] {(byte) 0xef, (byte) 0xbf, (byte) 0xbf}, new byte[] {(byte) 0xff});

  /** Bytes no broker forwards ({@link #RAW_REFUSED}) in a topic or user property, on path 0 (call), 1 (device), 2 (ingest). */
  record RawRefused(int path, int bad, boolean inProperty) implements Req {}

  /** Receive or ReceiveStream with random parameters on an empty queue. */
  record ReceiveCall(TopicSpec topic, int limit, int visibilityMs, boolean stream) implements Req {}

  /** Ack of an id that is not a delivered message. */
  record AckCall(TopicSpec topic, String msgId) implements Req {}

  /** A plain MQTT client opens a ReceiveStream and vanishes without a will. */
  record VanishingStream(int limit) implements Req {}

  static Arbitrary<List<Req>> batches(int minSize, int maxSize) {
    return requests().list().ofMinSize(minSize).ofMaxSize(maxSize);
  }

  @SuppressWarnings("unchecked")
  static Arbitrary<Req> requests() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, sends(false).map(s -> (Req) new RpcSend(s))),
        Tuple.of(3, Combinators.combine(sends(true), Arbitraries.of(true, true, true, false)).as((s, ct) -> (Req) new JsonSend(s, ct))),
        Tuple.of(2, brokenJson()),
        Tuple.of(2, mutatedProtobuf()),
        Tuple.of(4, deviceSends()),
        Tuple.of(4, ingests()),
        Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, RAW_REFUSED.size() - 1), Arbitraries.of(true, false))
            .as((path, b, prop) -> (Req) new RawRefused(path, b, prop))),
        Tuple.of(2, Combinators.combine(topics(false), Arbitraries.of(0, 1, 5, 1_000, 1_001, -1), Arbitraries.of(0, 1, 60_000, -1), Arbitraries.of(true, false))
            .as((t, limit, vis, stream) -> (Req) new ReceiveCall(t, limit, vis, stream))),
        Tuple.of(1, Combinators.combine(topics(false), Arbitraries.of("", "0", "-1", "1", "99999999999999999999", "x", "\u0001", "9223372036854775807"))
            .as((t, id) -> (Req) new AckCall(t, id))),
        Tuple.of(1, Arbitraries.integers().between(1, 20).map(l -> (Req) new VanishingStream(l))));
  }

  static Arbitrary<TopicSpec> topics(boolean json) {
    List<Tuple.Tuple2<Integer, Defect>> weights = new java.util.ArrayList<>(List.of(
        Tuple.of(10, Defect.NONE),
        Tuple.of(3, Defect.BAD_CHAR),
        Tuple.of(2, Defect.EMPTY_LEVEL),
        Tuple.of(1, Defect.WILDCARD),
        Tuple.of(1, Defect.DOLLAR),
        Tuple.of(1, Defect.RESERVED),
        Tuple.of(1, Defect.TOO_LONG)));
    if (json) {
      // Only JSON can carry them: Java's protobuf encoder turns them into '?'.
      weights.add(Tuple.of(2, Defect.LONE_SURROGATE));
    }
    @SuppressWarnings("unchecked")
    Arbitrary<Defect> defects = Arbitraries.frequency(weights.toArray(new Tuple.Tuple2[0]));
    return Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.of(GOOD_LEVELS).injectNull(0.5).map(l -> l == null ? "" : l),
            defects,
            Arbitraries.integers().between(0, 200),
            Arbitraries.integers().between(0, 1_000))
        .as((queue, level, defect, position, pick) -> new TopicSpec(queue, level, defect, defectText(defect, pick), position));
  }

  private static String defectText(Defect defect, int pick) {
    return switch (defect) {
      case BAD_CHAR -> BAD_CHARS.get(pick % BAD_CHARS.size());
      case LONE_SURROGATE -> LONE_SURROGATES.get(pick % LONE_SURROGATES.size());
      case WILDCARD -> pick % 2 == 0 ? "+" : "#";
      case RESERVED -> List.of("grpc", "gateway/send", "gateway/instances", "rpc").get(pick % 4);
      default -> "";
    };
  }

  static Arbitrary<HeaderSpec> headers(boolean json) {
    Arbitrary<HeaderSpec> valid = Arbitraries.maps(Arbitraries.of("unit", "device", "content-type", "ü", "k😀", "x-1"),
            Arbitraries.of("C", "", "21.5", "ünïcode 😀", "a b"))
        .ofMaxSize(5)
        .map(m -> new HeaderSpec(m, true));
    Arbitrary<HeaderSpec> broken = Combinators.combine(Arbitraries.integers().between(0, 5),
            Arbitraries.integers().between(0, 1_000))
        .as((kind, pick) -> {
          String bad = json && pick % 3 == 0 ? LONE_SURROGATES.get(pick % 4) : BAD_CHARS.get(pick % BAD_CHARS.size());
          Map<String, String> m = new LinkedHashMap<>();
          m.put("unit", "C");
          switch (kind) {
            case 0 -> m.put("k" + bad, "v");
            case 1 -> m.put("k", "v" + bad);
            case 2 -> m.put("robustmq-msg-id", "1");
            case 3 -> {
              for (int i = 0; i <= GatewayLimits.MAX_HEADERS; i++) {
                m.put("h" + i, "v");
              }
            }
            case 4 -> m.put("big", "v".repeat(GatewayLimits.MAX_HEADER_BYTES + 1));
            default -> m.put("", "v");
          }
          return new HeaderSpec(m, false);
        });
    return Arbitraries.frequencyOf(Tuple.of(5, valid), Tuple.of(1, broken));
  }

  static Arbitrary<SendSpec> sends(boolean json) {
    Arbitrary<Integer> payload = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.integers().between(0, 64)),
        Tuple.of(1, Arbitraries.of(MAX_PAYLOAD, MAX_PAYLOAD + 1, MAX_PAYLOAD + 100)));
    // A few keys, so retries (same key, same queue) happen; broken ones now and then.
    Arbitrary<String> key = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just("")),
        Tuple.of(3, Arbitraries.of("k1", "k2", "ключ-3")),
        Tuple.of(1, Arbitraries.of("k".repeat(GatewayLimits.MAX_IDEMPOTENCY_KEY_BYTES + 1), "k\n", json ? "k\ud800" : "k\u0000")));
    return Combinators.combine(topics(json), headers(json), payload, key)
        .as((t, h, p, k) -> new SendSpec(t, h, p, k, GOOD_KEYS.contains(k)));
  }

  static Arbitrary<Req> brokenJson() {
    return Arbitraries.of(
            "", "{", "[]", "null", "{\"topic\": 1}", "{\"topic\":\"a\",\"payload\":\"21.5\"}",
            "{\"topic\":\"a\",\"payload\":\"%%%\"}", "{\"topic\":\"a\",\"nope\":1}", "{\"topic\":\"a\",\"headers\":[]}",
            "{\"topic\":\"a\",\"headers\":{\"k\":1}}", "{\"topic\":\"\\ud800\"", "\u0000\u0001", "{\"topic\":\"a\"}}",
            "{\"topic\":\"a\\u0000\"}", "{\"topic\":\"\\uffff\"}", "{\"topic\":\"a\",\"payload\":null}",
            "{\"topic\":\"a\",\"idempotencyKey\":{}}")
        .map(t -> (Req) new BrokenJson(t));
  }

  static Arbitrary<Req> mutatedProtobuf() {
    return Combinators.combine(
            Arbitraries.of("Send", "Receive", "Ack", "ReceiveStream"),
            Arbitraries.integers().between(0, 40),
            Arbitraries.integers().between(0, 60).list().ofMaxSize(3),
            Arbitraries.integers().between(0, 8))
        .as((method, cut, flips, garbage) -> (Req) new MutatedProtobuf(method, cut, flips, garbage));
  }

  static Arbitrary<Req> deviceSends() {
    Arbitrary<TopicSpec> mqttTopics = topics(false).filter(t -> t.defect() != Defect.BAD_CHAR && t.defect() != Defect.WILDCARD);
    return Combinators.combine(mqttTopics,
            Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(0, 64)), Tuple.of(1, Arbitraries.just(MAX_PAYLOAD + 1))),
            Arbitraries.of(true, false))
        .as((t, p, reply) -> (Req) new DeviceSend(t, p, reply));
  }

  static Arbitrary<Req> ingests() {
    Arbitrary<Tuple.Tuple2<String, Boolean>> levels = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of(GOOD_LEVELS).map(l -> Tuple.of(l, true))),
        Tuple.of(1, Arbitraries.of("a//b", "a/", "/").map(l -> Tuple.of(l, false))));
    Arbitrary<Tuple.Tuple2<Map<String, String>, Boolean>> props = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.maps(Arbitraries.of("unit", "ü", "robustmq-other"), Arbitraries.of("C", "", "😀"))
            .ofMaxSize(3).map(m -> Tuple.of(m, true))),
        // A mirror's marker: never stored, so no loop can form.
        Tuple.of(1, Arbitraries.just(Tuple.of(Map.of("robustmq-msg-id", MIRROR_MARKER), false))),
        Tuple.of(1, Arbitraries.just(Tuple.of(manyProperties(), false))));
    return Combinators.combine(levels,
            Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(0, 64)), Tuple.of(1, Arbitraries.just(MAX_PAYLOAD + 1))),
            props)
        .as((l, p, pr) -> (Req) new Ingest(l.get1(), l.get2(), p, pr.get1(), pr.get2()));
  }

  private static Map<String, String> manyProperties() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i <= GatewayLimits.MAX_HEADERS; i++) {
      m.put("p" + i, "v");
    }
    return m;
  }
}
