package io.grpcmqtt.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who else serves on this broker. Each Gateway instance keeps a retained record on {@code
 * gateway/instances/{its client id}} — its store's id, its shared-subscription group and its RPC
 * prefix — refreshed every {@value #REFRESH_SECONDS} s, expiring after {@value #EXPIRY_SECONDS} s
 * and cleared when it stops (by itself) or dies (by its will). At start an instance reads the records and refuses
 * to serve beside one that would split its calls or device publishes: one with the same group or
 * the same RPC prefix but not all three the same. (Same group, other store: each would take part
 * of one topic's messages, and acknowledgements would fail on the other. Same prefix, other group:
 * every call would run on both.) A conflicting record that stays (two instances that started at
 * the same moment) is logged (WARN, rate-limited) by both.
 *
 * <p>Records are plain text, {@code key=value} lines, so operators can read them with {@code
 * mosquitto_sub -t 'gateway/instances/+' -v}.
 */
public final class Presence {
  private static final Logger log = LoggerFactory.getLogger(Presence.class);
  /** Where the records are; reserved: no queue topic lies under it. */
  public static final String ROOT = "gateway/instances";
  static final long REFRESH_SECONDS = 30;
  static final long EXPIRY_SECONDS = 90;
  /** After our own record comes back, how long other retained records may still trail it. */
  private static final long GRACE_MILLIS = 250;
  /** How long a newcomer takes at most to check the records and withdraw its own when it must. */
  private static final long NEWCOMER_CHECK_SECONDS = 15;
  /** How long stopping waits for the broker to take the cleared record. */
  private static final long WITHDRAW_WAIT_MILLIS = 2_000;

  /** What one instance serves: the three things that must agree between instances that meet. */
  public record Identity(String store, String group, String rpcPrefix) {
    byte[] encode(String deployment) {
      return ("store=" + store + "\ngroup=" + group + "\nprefix=" + rpcPrefix + "\ndeployment=" + deployment + "\n")
          .getBytes(StandardCharsets.UTF_8);
    }

    @Nullable
    static Identity decode(byte[] payload) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String line : new String(payload, StandardCharsets.UTF_8).lines().toList()) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      String store = fields.get("store");
      String group = fields.get("group");
      String prefix = fields.get("prefix");
      return store == null || group == null || prefix == null ? null : new Identity(store, group, prefix);
    }

    /** Why this instance and {@code other} cannot share a broker, or null when they can. */
    @Nullable
    String conflictWith(Identity other) {
      boolean meet = group.equals(other.group) || rpcPrefix.equals(other.rpcPrefix);
      if (!meet || equals(other)) {
        return null;
      }
      if (!store.equals(other.store)) {
        return "it keeps messages in another store (id " + other.store + ", this one " + store
            + "): each would take part of every queue's messages";
      }
      return group.equals(other.group)
          ? "it takes calls under '" + other.rpcPrefix + "/' (this one '" + rpcPrefix + "/') in the same group '" + group + "'"
          : "it takes the calls under '" + rpcPrefix + "/' in group '" + other.group + "' (this one '" + group
              + "'): every call would run twice";
    }
  }

  private final MqttBridge bridge;
  private final Identity me;
  private final String deployment;
  private final String topic;
  private final GatewayExecutors executors;
  private final Map<String, Identity> others = new ConcurrentHashMap<>();
  private final CountDownLatch echoed = new CountDownLatch(1);
  private final RateLimitedLog conflicts = new RateLimitedLog(log);
  private volatile ScheduledFuture<?> refresh;

  /** Registers with {@code bridge}; call before it connects. */
  public Presence(MqttBridge bridge, Identity me, String deployment, GatewayExecutors executors) {
    this.bridge = bridge;
    this.me = me;
    this.deployment = deployment;
    this.topic = ROOT + "/" + bridge.clientId();
    this.executors = executors;
    bridge.willClears(topic);
    bridge.watch(ROOT + "/+", this::seen);
    bridge.onReconnect(this::announce);
  }

  /**
   * Publishes this instance's record and checks the others' (call once connected).
   *
   * @throws IllegalStateException naming the conflicting instance, after withdrawing the record
   */
  public void start() throws InterruptedException {
    announce();
    // The broker sends the retained records it holds when we subscribe, before it handles our own
    // later publish; our record coming back means theirs have arrived (a grace period covers
    // brokers that send retained messages on a path of their own).
    if (!echoed.await(10, TimeUnit.SECONDS)) {
      log.warn("Could not read the other Gateways' records on {} within 10 s: starting without the check", ROOT);
    } else {
      Thread.sleep(GRACE_MILLIS);
    }
    for (Map.Entry<String, Identity> e : others.entrySet()) {
      String why = me.conflictWith(e.getValue());
      if (why != null) {
        withdraw();
        throw new IllegalStateException("another Gateway on this broker (" + e.getKey() + ") would split the work"
            + " of this one: " + why + ". Instances of one deployment share one store (PostgreSQL) and"
            + " the same --deployment; give this one a --deployment name of its own");
      }
    }
    refresh = executors.timers().scheduleWithFixedDelay(this::announce, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
  }

  /** Stops refreshing and clears the record (a will would clear it only if this instance died). */
  public void stop() {
    ScheduledFuture<?> r = refresh;
    if (r != null) {
      r.cancel(false);
    }
    withdraw();
  }

  private void announce() {
    CompletableFuture<?> unused = bridge.publishRetained(topic, me.encode(deployment), EXPIRY_SECONDS)
        .whenComplete((result, error) -> {
          if (error != null) {
            log.debug("Record {} not published: {}", topic, error.getMessage());
          }
        });
  }

  /** Clears the record, waiting a little for the broker: a successor may be starting right now. */
  private void withdraw() {
    try {
      bridge.publishRetained(topic, new byte[0], 0).get(WITHDRAW_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("Record {} not cleared ({}); it expires within {} s", topic, String.valueOf(e), EXPIRY_SECONDS);
    }
  }

  private void seen(String recordTopic, byte[] payload) {
    if (recordTopic.equals(topic)) {
      echoed.countDown();
      return;
    }
    String instance = recordTopic.substring(ROOT.length() + 1);
    Identity other = payload.length == 0 ? null : Identity.decode(payload);
    if (other == null) {
      others.remove(instance);
      return;
    }
    others.put(instance, other);
    String why = me.conflictWith(other);
    if (why != null && echoed.getCount() == 0) {
      // A newcomer that conflicts sees this instance's record, refuses to start and withdraws its
      // own within moments: only a record that stays is worth a WARN.
      ScheduledFuture<?> unused = executors.timers().schedule(() -> {
        if (other.equals(others.get(instance))) {
          conflicts.warn("Another Gateway on this broker ({}) conflicts with this one: {}. It should have refused"
              + " to start; stop it, or give it a --deployment name of its own", instance, why);
        }
      }, NEWCOMER_CHECK_SECONDS, TimeUnit.SECONDS);
    }
  }
}
