package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * The servers a channel knows to be online under its prefix, and the services each hosts, read
 * from their retained status messages ({@code online} with one {@code grpc-service} user property
 * per hosted service). It lets a request that reached no subscriber tell a service nobody hosts
 * (UNIMPLEMENTED) from servers that are all gone (UNAVAILABLE).
 */
final class ServerDirectory {
  /** Online servers; an empty set means the server did not list its services. */
  private final ConcurrentHashMap<String, Set<String>> online = new ConcurrentHashMap<>();

  /** Records a status message of {@code serverId}; anything but {@code online} means gone. */
  void update(String serverId, byte[] payload, @Nullable List<MqttUserProperty> props) {
    if (!Topics.ONLINE.equals(new String(payload, StandardCharsets.UTF_8))) {
      online.remove(serverId);
      return;
    }
    Set<String> services = new LinkedHashSet<>();
    if (props != null) {
      for (MqttUserProperty p : props) {
        if (Wire.SERVICE.equals(p.name())) {
          services.add(p.value());
        }
      }
    }
    online.put(serverId, Set.copyOf(services));
  }

  /**
   * True when at least one server is online, every online server listed its services, and none
   * lists {@code service}: then no server of this prefix can answer a call of it.
   */
  boolean knownNotHosted(String service) {
    if (online.isEmpty()) {
      return false;
    }
    for (Set<String> services : online.values()) {
      if (services.isEmpty() || services.contains(service)) {
        return false;
      }
    }
    return true;
  }
}
