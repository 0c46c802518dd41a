package io.grpcmqtt.internal;

import io.grpc.SynchronizationContext;

/**
 * A stream's publish callback that never runs under the stream's lock. Streams publish while they
 * hold their lock (to keep frames in sequence order), and a publish can fail at once, on the
 * publishing thread (a string MQTT refuses, a frame over the broker's packet limit, a closed
 * connection): the callback would then end the call, and run its listeners, with the lock still
 * held. Instead the outcome is queued on the stream's {@link SynchronizationContext}: run at once
 * when it arrives on another thread (a PUBACK on the client library's thread), else by the drain
 * every stream method does after it releases its lock.
 */
final class OutsideStreamLock implements TransportConnection.PublishCallback {
  private final Object streamLock;
  private final SynchronizationContext sync;
  private final TransportConnection.PublishCallback next;

  private OutsideStreamLock(
      Object streamLock, SynchronizationContext sync, TransportConnection.PublishCallback next) {
    this.streamLock = streamLock;
    this.sync = sync;
    this.next = next;
  }

  /**
   * {@code next}, run through {@code sync} and never while the current thread holds {@code
   * streamLock}. The stream must drain {@code sync} after every block that publishes under it.
   */
  static TransportConnection.PublishCallback wrap(
      Object streamLock, SynchronizationContext sync, TransportConnection.PublishCallback next) {
    return next == TransportConnection.IGNORE ? next : new OutsideStreamLock(streamLock, sync, next);
  }

  @Override
  public void published(int reasonCode) {
    run(() -> next.published(reasonCode));
  }

  @Override
  public void failed(Throwable cause) {
    run(() -> next.failed(cause));
  }

  private void run(Runnable outcome) {
    sync.executeLater(outcome);
    if (!Thread.holdsLock(streamLock)) {
      sync.drain();
    }
  }
}
