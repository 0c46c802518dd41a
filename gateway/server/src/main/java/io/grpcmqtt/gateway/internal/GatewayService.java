package io.grpcmqtt.gateway.internal;

import io.grpc.Context;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.AckResponse;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The RobustMQGateway gRPC service: request checking and glue; the work is in {@link Queues}. */
public final class GatewayService extends RobustMQGatewayGrpc.RobustMQGatewayImplBase {
  private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

  private final Queues queues;
  private final GatewayExecutors executors;
  private final RateLimitedLog oneWayRefusals = new RateLimitedLog(log);

  public GatewayService(Queues queues, GatewayExecutors executors) {
    this.queues = queues;
    this.executors = executors;
  }

  @Override
  public void send(SendRequest request, StreamObserver<SendResponse> response) {
    String key = request.getIdempotencyKey().isEmpty() ? IdempotencyKeyHeader.current() : request.getIdempotencyKey();
    try {
      long id = queues.send(request.getTopic(), request.getPayload().toByteArray(), request.getHeadersMap(), null, key);
      response.onNext(SendResponse.newBuilder().setMsgId(Long.toString(id)).build());
      response.onCompleted();
    } catch (StatusException e) {
      if (OneWayCalls.current()) {
        // A one-way Send (a bare publish on the device Send topic): the log is the only trace.
        oneWayRefusals.warn("Refused a one-way Send on topic {}: {} {}", MqttText.quote(request.getTopic()),
            e.getStatus().getCode(), e.getStatus().getDescription());
      }
      response.onError(e);
    }
  }

  @Override
  public void receive(ReceiveRequest request, StreamObserver<ReceiveResponse> response) {
    RequestRules.ReceiveParams params;
    try {
      params = queues.rules().receive(request);
    } catch (StatusException e) {
      response.onError(e);
      return;
    }
    new LongPoll(queues, executors, params, (ServerCallStreamObserver<ReceiveResponse>) response,
        Context.current().getDeadline()).start();
  }

  @Override
  public void receiveStream(ReceiveRequest request, StreamObserver<Message> response) {
    RequestRules.ReceiveParams params;
    try {
      params = queues.rules().receive(request);
    } catch (StatusException e) {
      response.onError(e);
      return;
    }
    new StreamConsumer(queues, executors, params, (ServerCallStreamObserver<Message>) response).start();
  }

  @Override
  public void ack(AckRequest request, StreamObserver<AckResponse> response) {
    try {
      queues.ack(request.getTopic(), request.getMsgId());
      response.onNext(AckResponse.getDefaultInstance());
      response.onCompleted();
    } catch (StatusException e) {
      response.onError(e);
    }
  }
}
