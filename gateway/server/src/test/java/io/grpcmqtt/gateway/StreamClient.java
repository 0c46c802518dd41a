package io.grpcmqtt.gateway;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The client end of one ReceiveStream: what arrived, how it ended, and cancel / request. */
final class StreamClient implements ClientResponseObserver<ReceiveRequest, Message> {
  final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Void> done = new CompletableFuture<>();
  private final int initialRequest;
  private volatile ClientCallStreamObserver<ReceiveRequest> call;

  /** Reads as fast as messages come. */
  StreamClient() {
    this(-1);
  }

  /** Reads only what {@link #request} allows, starting with {@code initialRequest}. */
  StreamClient(int initialRequest) {
    this.initialRequest = initialRequest;
  }

  static StreamClient open(TestGateway gw, ReceiveRequest request) {
    return open(gw, request, new StreamClient());
  }

  static StreamClient open(TestGateway gw, ReceiveRequest request, StreamClient client) {
    gw.async().receiveStream(request, client);
    return client;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ReceiveRequest> requestStream) {
    this.call = requestStream;
    if (initialRequest >= 0) {
      requestStream.disableAutoRequestWithInitial(initialRequest);
    }
  }

  void request(int n) {
    call.request(n);
  }

  void cancel() {
    call.cancel("test cancels", null);
  }

  Message next() throws InterruptedException {
    Message m = received.poll(15, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no stream message within 15 s");
    }
    return m;
  }

  @Override
  public void onNext(Message value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onCompleted() {
    done.complete(null);
  }
}
