package io.grpcmqtt.gateway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Receive and ReceiveStream calls in progress on this instance: acknowledgements free the
 * stream slot of the message they name, and shutdown ends them all.
 */
public final class StreamRegistry {
  private final ConcurrentHashMap<String, Set<StreamConsumer>> streams = new ConcurrentHashMap<>();
  private final Set<LongPoll> polls = ConcurrentHashMap.newKeySet();

  void add(StreamConsumer s) {
    streams.compute(s.topic(), (t, set) -> {
      Set<StreamConsumer> result = set != null ? set : ConcurrentHashMap.newKeySet();
      result.add(s);
      return result;
    });
  }

  void remove(StreamConsumer s) {
    streams.computeIfPresent(s.topic(), (t, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  void add(LongPoll p) {
    polls.add(p);
  }

  void remove(LongPoll p) {
    polls.remove(p);
  }

  /** Message {@code id} of {@code topic} was acknowledged here. */
  void acked(String topic, long id) {
    Set<StreamConsumer> set = streams.get(topic);
    if (set != null) {
      for (StreamConsumer s : set) {
        s.acked(id);
      }
    }
  }

  /** Streams open now. */
  public int openStreams() {
    return streams.values().stream().mapToInt(Set::size).sum();
  }

  /**
   * Ends every call with UNAVAILABLE; what the streams held is visible again when this returns
   * (unless the store failed, in which case it is when its leases expire).
   */
  public void shutdown() {
    List<StreamConsumer> all = new ArrayList<>();
    streams.values().forEach(all::addAll);
    for (StreamConsumer s : all) {
      s.shutdown();
    }
    for (LongPoll p : List.copyOf(polls)) {
      p.shutdown();
    }
  }
}
