package io.grpcmqtt.mapper.mqtt311;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The topic layout of the MQTT 3.1.1 binding (docs/protocol.md §14) under one topic prefix. A
 * 3.1.1 client has no Response Topic, Correlation Data, Content Type or User Properties, so the
 * binding carries them in topic levels:
 *
 * <pre>
 * {prefix}/_311/req/{replyRef}/{requestId}/{options}/{request topic}   a unary request
 * {prefix}/_311/res/{replyRef}/{requestId}/{status}                    its one reply
 * </pre>
 *
 * The {@code {request topic}} is the method's MQTT 5 request topic, verbatim: its default topic
 * {@code {prefix}/{package.Service}/{Method}} or a topic of its {@code (grpcmqtt.method).topic}
 * template, so templates and request-field binding work unchanged. Servers subscribe to
 * {@code {prefix}/_311/req/+/+/+/} followed by each of their MQTT 5 request filters, in the same
 * shared-subscription group. Pure string logic: no MQTT, thread-safe, immutable.
 */
public final class Mqtt311Topics {
  /** The levels after the prefix that start every 3.1.1 request topic. */
  public static final String REQUEST_LEVELS = "_311/req";
  /** The levels after the prefix that start every 3.1.1 reply topic. */
  public static final String REPLY_LEVELS = "_311/res";
  /** The longest reply reference, in characters (as the Java runtime's client ids). */
  public static final int MAX_REPLY_REF = 128;
  /** The longest request id, in characters. */
  public static final int MAX_REQUEST_ID = 64;
  /** The options level's format item for proto3 JSON. */
  public static final String JSON = "json";
  /** The options level's format item for protobuf binary (the whole request message). */
  public static final String PROTOBUF = "pb";
  /** An options level that sets nothing (an empty level does too). */
  public static final String NO_OPTIONS = "-";

  private final String prefix;
  private final String requestStart;
  private final String replyStart;

  /** The layout under {@code prefix} ({@code grpc} unless configured otherwise). */
  public Mqtt311Topics(String prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.requestStart = prefix + "/" + REQUEST_LEVELS + "/";
    this.replyStart = prefix + "/" + REPLY_LEVELS + "/";
  }

  /** The topic prefix. */
  public String prefix() {
    return prefix;
  }

  /** The 3.1.1 filter that receives what {@code requestFilter} (an MQTT 5 filter) receives. */
  public String requestFilter(String requestFilter) {
    return requestStart + "+/+/+/" + requestFilter;
  }

  /** A 3.1.1 request topic; {@code options} is {@link #NO_OPTIONS} or items joined by commas. */
  public String requestTopic(String replyRef, String requestId, String options, String requestTopic) {
    return requestStart + replyRef + "/" + requestId + "/" + options + "/" + requestTopic;
  }

  /** The 3.1.1 request address of a method, in AsyncAPI / documentation form. */
  public String requestAddress(String requestTopic) {
    return requestStart + "{replyRef}/{requestId}/{options}/" + requestTopic;
  }

  /** The reply address in AsyncAPI / documentation form. */
  public String replyAddress() {
    return replyStart + "{replyRef}/{requestId}/{status}";
  }

  /**
   * {@code {prefix}/_311/res/{replyRef}}: what identifies a 3.1.1 caller on a server (its calls,
   * its concurrency limit, {@code MqttCallAttributes.responseTopic()}); the replies of its calls
   * go to topics below it.
   */
  public String callerTopic(String replyRef) {
    return replyStart + replyRef;
  }

  /** The reply topic of one call: {@code {prefix}/_311/res/{replyRef}/{requestId}/{status}}. */
  public String replyTopic(String replyRef, String requestId, int status) {
    return replyStart + replyRef + "/" + requestId + "/" + status;
  }

  /** What a device subscribes to for every reply to it: {@code {prefix}/_311/res/{replyRef}/#}. */
  public String replyFilter(String replyRef) {
    return replyStart + replyRef + "/#";
  }

  /** Whether {@code topic} starts like a 3.1.1 request topic of this prefix. */
  public boolean isRequest(String topic) {
    return topic.startsWith(requestStart);
  }

  /** The reply reference of a {@link #callerTopic}, or null when {@code topic} is not one. */
  @Nullable
  public String replyRefOf(String callerTopic) {
    if (!callerTopic.startsWith(replyStart)) {
      return null;
    }
    String ref = callerTopic.substring(replyStart.length());
    return validLevel(ref, MAX_REPLY_REF) ? ref : null;
  }

  /**
   * Reads a topic for which {@link #isRequest} holds. The result says what could be read: no
   * reply address at all (the request can only be logged), a reply address and why the rest is
   * refused, or everything.
   */
  public Mqtt311Request parse(String topic) {
    if (!isRequest(topic)) {
      throw new IllegalArgumentException("not an MQTT 3.1.1 request topic: " + topic);
    }
    int refEnd = topic.indexOf('/', requestStart.length());
    int idEnd = refEnd < 0 ? -1 : topic.indexOf('/', refEnd + 1);
    if (idEnd < 0) {
      return Mqtt311Request.unaddressed("MQTT 3.1.1 request topic '" + topic + "' has no "
          + (refEnd < 0 ? "request id" : "options level") + " after its reply reference");
    }
    String replyRef = topic.substring(requestStart.length(), refEnd);
    String requestId = topic.substring(refEnd + 1, idEnd);
    if (!validLevel(replyRef, MAX_REPLY_REF)) {
      return Mqtt311Request.unaddressed("MQTT 3.1.1 request topic '" + topic + "': invalid reply"
          + " reference: use 1 to " + MAX_REPLY_REF + " printable ASCII characters other than"
          + " '/', '+', '#' and space");
    }
    if (!validLevel(requestId, MAX_REQUEST_ID)) {
      return Mqtt311Request.unaddressed("MQTT 3.1.1 request topic '" + topic + "': invalid request"
          + " id: use 1 to " + MAX_REQUEST_ID + " printable ASCII characters other than '/', '+',"
          + " '#' and space");
    }
    int optionsEnd = topic.indexOf('/', idEnd + 1);
    if (optionsEnd < 0 || optionsEnd == topic.length() - 1) {
      return Mqtt311Request.refused(replyRef, requestId, "MQTT 3.1.1 request topic names no"
          + " method: put the method's request topic after the options level");
    }
    String options = topic.substring(idEnd + 1, optionsEnd);
    String format = null;
    String timeout = null;
    if (!options.isEmpty() && !options.equals(NO_OPTIONS)) {
      for (String item : options.split(",", -1)) {
        if (item.equals(JSON) || item.equals(PROTOBUF)) {
          if (format != null) {
            return Mqtt311Request.refused(replyRef, requestId,
                "options level '" + options + "' names two payload formats");
          }
          format = item;
        } else if (!item.isEmpty() && item.charAt(0) >= '0' && item.charAt(0) <= '9') {
          if (timeout != null) {
            return Mqtt311Request.refused(replyRef, requestId,
                "options level '" + options + "' names two timeouts");
          }
          timeout = item;
        } else {
          return Mqtt311Request.refused(replyRef, requestId, "unknown option '" + item
              + "' in options level '" + options + "': use json, pb and a timeout such as 30S,"
              + " separated by commas, or - for none");
        }
      }
    }
    return Mqtt311Request.addressed(replyRef, requestId, format, timeout,
        topic.substring(optionsEnd + 1));
  }

  /** 1 to {@code max} characters from 0x21–0x7E other than '/', '+' and '#'. */
  private static boolean validLevel(String level, int max) {
    if (level.isEmpty() || level.length() > max) {
      return false;
    }
    for (int i = 0; i < level.length(); i++) {
      char c = level.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '+' || c == '#' || c == '/') {
        return false;
      }
    }
    return true;
  }
}
