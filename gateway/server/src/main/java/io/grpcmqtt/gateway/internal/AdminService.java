package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.gateway.v1.RobustMQGatewayAdminGrpc;
import io.grpcmqtt.gateway.v1.StatsRequest;
import io.grpcmqtt.gateway.v1.StatsResponse;

/** The RobustMQGatewayAdmin service: the queues' figures for operators. */
public final class AdminService extends RobustMQGatewayAdminGrpc.RobustMQGatewayAdminImplBase {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private final QueueStatistics statistics;
  private final String instance;

  public AdminService(QueueStatistics statistics, String instance) {
    this.statistics = statistics;
    this.instance = instance;
  }

  @Override
  public void stats(StatsRequest request, StreamObserver<StatsResponse> response) {
    long limit = Integer.toUnsignedLong(request.getLimit());
    if (limit > MAX_LIMIT) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("limit must be at most " + MAX_LIMIT + ", was " + limit).asException());
      return;
    }
    QueueStatistics.Snapshot s;
    try {
      s = statistics.snapshot(request.getTopicPrefix(), limit == 0 ? DEFAULT_LIMIT : (int) limit);
    } catch (RuntimeException e) {
      response.onError(Status.UNAVAILABLE
          .withDescription("message store unavailable: " + e.getMessage()).withCause(e).asException());
      return;
    }
    response.onNext(StatsResponse.newBuilder()
        .addAllTopics(s.topics())
        .setTimeMs(s.timeMillis())
        .setInstance(instance)
        .setOmittedTopics(s.omitted())
        .build());
    response.onCompleted();
  }
}
