package io.grpcmqtt.internal;

import javax.annotation.Nullable;

/**
 * The topic layout of wire contract v1 under one prefix (default {@code grpc}).
 *
 * <pre>
 * {prefix}/{package.Service}/{Method}   requests (servers: $share/{group}/{prefix}/{Service}/+)
 * {prefix}/_reply/{clientId}            replies to one channel
 * {prefix}/_server/{serverId}           the rest of a streaming call, after the server accepted it
 * {prefix}/_cancel                      cancellations (every server subscribes)
 * {prefix}/_status/client/{clientId}    channel liveness (will: offline)
 * {prefix}/_status/server/{serverId}    server liveness, retained (will: offline)
 * </pre>
 *
 * Second levels starting with '_' are reserved: no proto service name can collide with them in
 * practice, and routing never treats them as services.
 */
public final class Topics {
  public static final String ONLINE = "online";
  public static final String OFFLINE = "offline";

  private final String prefix;
  private final String prefixSlash;

  public Topics(String prefix) {
    this.prefix = prefix;
    this.prefixSlash = prefix + "/";
  }

  public String prefix() {
    return prefix;
  }

  public String request(String fullMethodName) {
    return prefixSlash + fullMethodName;
  }

  public String serviceFilter(String serviceName) {
    return prefixSlash + serviceName + "/+";
  }

  public String reply(String clientId) {
    return prefixSlash + "_reply/" + clientId;
  }

  public String inbox(String serverId) {
    return prefixSlash + "_server/" + serverId;
  }

  public String cancel() {
    return prefixSlash + "_cancel";
  }

  public String clientStatus(String clientId) {
    return prefixSlash + "_status/client/" + clientId;
  }

  public String serverStatus(String serverId) {
    return prefixSlash + "_status/server/" + serverId;
  }

  public String clientStatusFilter() {
    return prefixSlash + "_status/client/+";
  }

  public String serverStatusFilter() {
    return prefixSlash + "_status/server/+";
  }

  /** The client id of a channel status topic, or null if the topic is not one. */
  @Nullable
  public String clientOfStatus(String topic) {
    return lastLevelAfter(topic, prefixSlash + "_status/client/");
  }

  /** The server id of a server status topic, or null if the topic is not one. */
  @Nullable
  public String serverOfStatus(String topic) {
    return lastLevelAfter(topic, prefixSlash + "_status/server/");
  }

  public boolean isInbox(String topic) {
    return topic.startsWith(prefixSlash + "_server/");
  }

  /**
   * The full gRPC method name ({@code package.Service/Method}) a request topic addresses, or null
   * when the topic is not a request topic of this prefix.
   */
  @Nullable
  public String methodOf(String topic) {
    if (!topic.startsWith(prefixSlash)) {
      return null;
    }
    String rest = topic.substring(prefixSlash.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      return null;
    }
    if (rest.charAt(0) == '_') {
      return null;
    }
    return rest;
  }

  @Nullable
  private static String lastLevelAfter(String topic, String start) {
    if (!topic.startsWith(start)) {
      return null;
    }
    String id = topic.substring(start.length());
    return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
  }
}
