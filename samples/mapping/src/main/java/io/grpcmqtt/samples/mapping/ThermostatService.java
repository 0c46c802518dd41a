package io.grpcmqtt.samples.mapping;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.samples.mapping.v1.Ack;
import io.grpcmqtt.samples.mapping.v1.Reading;
import io.grpcmqtt.samples.mapping.v1.Target;
import io.grpcmqtt.samples.mapping.v1.ThermostatGrpc;
import io.grpcmqtt.samples.mapping.v1.WatchRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the last reading and target of each room, and streams new readings to watchers. */
final class ThermostatService implements ThermostatGrpc.AsyncService {
  private static final Logger log = LoggerFactory.getLogger(ThermostatService.class);

  private final Map<String, Reading> readings = new ConcurrentHashMap<>();
  private final Map<String, Double> targets = new ConcurrentHashMap<>();
  private final Map<String, List<StreamObserver<Reading>>> watchers = new ConcurrentHashMap<>();

  @Override
  public void report(Reading reading, StreamObserver<Ack> out) {
    log.info("room '{}' reports {} °C", reading.getRoom(), reading.getCelsius());
    readings.put(reading.getRoom(), reading);
    for (StreamObserver<Reading> watcher : watchers.getOrDefault(reading.getRoom(), List.of())) {
      synchronized (watcher) {
        watcher.onNext(reading);
      }
    }
    out.onNext(Ack.newBuilder().setNote("noted " + reading.getRoom() + " " + reading.getCelsius())
        .build());
    out.onCompleted();
  }

  @Override
  public void setTarget(Target target, StreamObserver<Ack> out) {
    log.info("room '{}' target set to {} °C", target.getRoom(), target.getCelsius());
    targets.put(target.getRoom(), target.getCelsius());
    out.onNext(Ack.newBuilder().setNote("target " + target.getRoom() + " " + target.getCelsius())
        .build());
    out.onCompleted();
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<Reading> out) {
    List<StreamObserver<Reading>> list =
        watchers.computeIfAbsent(request.getRoom(), r -> new CopyOnWriteArrayList<>());
    list.add(out);
    ((ServerCallStreamObserver<Reading>) out).setOnCancelHandler(() -> list.remove(out));
    log.info("watching room '{}'", request.getRoom());
  }

  int watchers(String room) {
    return watchers.getOrDefault(room, List.of()).size();
  }

  Double target(String room) {
    return targets.get(room);
  }

  Reading lastReading(String room) {
    return readings.get(room);
  }
}
