package io.grpcmqtt.cli;

import io.grpc.stub.StreamObserver;
import io.grpcmqtt.cli.test.v1.Fixture;
import io.grpcmqtt.cli.test.v1.Lamp;
import io.grpcmqtt.cli.test.v1.LampsGrpc;
import io.grpcmqtt.cli.test.v1.SwitchRequest;

/** Answers with the lamp the request names, so tests see which fields reached the server. */
final class LampsService extends LampsGrpc.LampsImplBase {
  @Override
  public void switch_(SwitchRequest request, StreamObserver<Lamp> out) {
    out.onNext(lamp(request));
    out.onCompleted();
  }

  @Override
  public void get(SwitchRequest request, StreamObserver<Lamp> out) {
    out.onNext(lamp(request));
    out.onCompleted();
  }

  private static Lamp lamp(SwitchRequest request) {
    return Lamp.newBuilder()
        .setRoom(request.getRoom())
        .setId(request.getLamp().getId())
        .setState(request.getOn() ? Lamp.State.STATE_ON : Lamp.State.STATE_OFF)
        .setFixture(Fixture.newBuilder().setModel("test"))
        .build();
  }
}
