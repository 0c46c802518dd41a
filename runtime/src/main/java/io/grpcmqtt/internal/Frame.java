package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One received PUBLISH with the wire contract's properties pulled out in a single pass. Decoding
 * is cheap on purpose: it runs on the connection's delivery thread.
 */
final class Frame {
  static final long ABSENT = -1;

  final String topic;
  final byte[] payload;
  @Nullable final String responseTopic;
  @Nullable final byte[] correlation;
  @Nullable final String contentType;
  @Nullable final Long expirySeconds;
  final List<MqttUserProperty> props;
  /** Index of grpc-status in {@link #props}, or -1: the message is the last of its call. */
  final int statusIndex;
  @Nullable final String status;
  @Nullable final String statusMessage;
  final long seq;
  final long credit;
  @Nullable final String control;
  @Nullable final String serverId;
  @Nullable final String callTopic;
  @Nullable final String timeout;
  /** A malformed reserved property; the frame must be rejected with this text. */
  @Nullable final String error;
  /** {@code grpc-chunk}: this chunk's index, the chunk count and the whole size; -1 when absent. */
  final int chunkIndex;
  final int chunkCount;
  final int chunkSize;

  private Frame(
      String topic,
      byte[] payload,
      @Nullable String responseTopic,
      @Nullable byte[] corr,
      @Nullable String contentType,
      @Nullable Long expirySeconds,
      @Nullable List<MqttUserProperty> userProps) {
    this.topic = topic;
    this.payload = payload;
    this.props = userProps == null ? Collections.emptyList() : userProps;
    this.responseTopic = emptyToNull(responseTopic);
    this.correlation = corr == null || corr.length == 0 ? null : corr;
    this.contentType = contentType;
    this.expirySeconds = expirySeconds;

    int statusIdx = -1;
    String statusValue = null;
    String statusMsg = null;
    long seqValue = ABSENT;
    long creditValue = ABSENT;
    String ctl = null;
    String server = null;
    String call = null;
    String timeoutValue = null;
    String err = null;
    int[] chunk = null;
    for (int i = 0; i < props.size(); i++) {
      MqttUserProperty up = props.get(i);
      String key = up.name();
      if (key.length() < 5 || !key.regionMatches(true, 0, "grpc-", 0, 5)) {
        continue;
      }
      switch (key) {
        case Wire.STATUS:
          if (statusIdx < 0) {
            statusIdx = i;
            statusValue = up.value();
          }
          break;
        case Wire.MESSAGE:
          statusMsg = up.value();
          break;
        case Wire.SEQ:
          seqValue = parseCount(up.value());
          if (seqValue < 0) {
            err = "invalid grpc-seq '" + up.value() + "'";
          }
          break;
        case Wire.CREDIT:
          creditValue = parseCount(up.value());
          if (creditValue < 0) {
            err = "invalid grpc-credit '" + up.value() + "'";
          }
          break;
        case Wire.CTL:
          ctl = up.value();
          break;
        case Wire.SERVER:
          server = up.value();
          break;
        case Wire.CALL_TOPIC:
          call = up.value();
          break;
        case Wire.TIMEOUT:
          timeoutValue = up.value();
          break;
        case Wire.CHUNK:
          chunk = parseChunk(up.value());
          if (chunk == null) {
            err = "invalid " + Wire.CHUNK + " '" + up.value() + "'";
          }
          break;
        default:
          break;
      }
    }
    this.statusIndex = statusIdx;
    this.status = statusValue;
    this.statusMessage = statusMsg;
    this.seq = seqValue;
    this.credit = creditValue;
    this.control = ctl;
    this.serverId = server;
    this.callTopic = call;
    this.timeout = timeoutValue;
    this.chunkIndex = chunk == null ? -1 : chunk[0];
    this.chunkCount = chunk == null ? -1 : chunk[1];
    this.chunkSize = chunk == null ? -1 : chunk[2];
    if (err == null && ctl != null && !Wire.isKnownControl(ctl)) {
      err = "unknown " + Wire.CTL + " '" + ctl + "'";
    }
    if (err == null && Wire.CTL_CREDIT.equals(ctl) && creditValue < 0) {
      err = Wire.CTL + " 'credit' without " + Wire.CREDIT;
    }
    this.error = err;
  }

  /** A reassembled frame: {@code first}'s properties with the whole payload. */
  private Frame(Frame first, byte[] payload) {
    this.topic = first.topic;
    this.payload = payload;
    this.responseTopic = first.responseTopic;
    this.correlation = first.correlation;
    this.contentType = first.contentType;
    this.expirySeconds = first.expirySeconds;
    this.props = first.props;
    this.statusIndex = first.statusIndex;
    this.status = first.status;
    this.statusMessage = first.statusMessage;
    this.seq = first.seq;
    this.credit = first.credit;
    this.control = first.control;
    this.serverId = first.serverId;
    this.callTopic = first.callTopic;
    this.timeout = first.timeout;
    this.error = first.error;
    this.chunkIndex = -1;
    this.chunkCount = -1;
    this.chunkSize = -1;
  }

  static Frame decode(MqttMessage message) {
    // The message's own arrays (MqttMessageAccess): a received message is only read.
    return new Frame(message.topic(), MqttMessageAccess.payload(message),
        message.responseTopic(), MqttMessageAccess.correlationData(message),
        message.contentType(), message.messageExpirySeconds(), message.userProperties());
  }

  /** A frame made here rather than received (the MQTT 5 request an MQTT 3.1.1 one stands for). */
  static Frame of(String topic, byte[] payload, PublishProperties p) {
    return new Frame(topic, payload, p.getResponseTopic(), p.getCorrelationData(),
        p.getContentType(), p.getMessageExpiryInterval(), p.getUserProperties());
  }

  /** The frame chunk 0 describes, carrying the reassembled payload. */
  Frame withPayload(byte[] whole) {
    return new Frame(this, whole);
  }

  boolean isChunk() {
    return chunkIndex >= 0;
  }

  boolean isFinal() {
    return statusIndex >= 0;
  }

  boolean hasSeq() {
    return seq != ABSENT;
  }

  private static long parseCount(String value) {
    if (value.isEmpty() || value.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** index/count/size with 0 <= index < count <= size, or null when malformed. */
  @Nullable
  private static int[] parseChunk(String value) {
    int a = value.indexOf('/');
    int b = a < 0 ? -1 : value.indexOf('/', a + 1);
    if (b < 0) {
      return null;
    }
    long index = parseCount(value.substring(0, a));
    long count = parseCount(value.substring(a + 1, b));
    long size = parseCount(value.substring(b + 1));
    if (index < 0 || count < 1 || index >= count || size < count || size > Integer.MAX_VALUE) {
      return null;
    }
    return new int[] {(int) index, (int) count, (int) size};
  }

  @Nullable
  private static String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
