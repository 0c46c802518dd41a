package io.grpcmqtt.bridge.internal;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import javax.annotation.concurrent.GuardedBy;

/**
 * Joins an incoming call (a {@link ServerCall}) to an outgoing one (a {@link ClientCall}): messages,
 * headers, half-close, status and trailers go through unchanged, a cancellation of the incoming
 * call cancels the outgoing one, and each side reads a message only when the other can take it, so
 * a slow peer slows its producer instead of filling the proxy's memory.
 *
 * <p>The deadline and the cancellation of the incoming call also reach the outgoing one through
 * gRPC's {@code Context}: the outgoing call is created in the handler, where the incoming call's
 * context (with its deadline) is current. (The ingress moves the deadline into the call's options
 * instead: {@link TrailingDeadlines}.)
 *
 * <p>Threads: the incoming call's listener and the outgoing call's listener each run serialized,
 * but on different threads; each side calls only the other's thread-safe {@code request} and
 * {@code isReady} besides the methods it alone calls.
 */
public final class CallForwarder {
  private CallForwarder() {}

  /**
   * Starts {@code outgoing} with {@code headers} and returns the listener of {@code incoming}.
   * Call from {@code ServerCallHandler.startCall}; {@code outgoingType} is the kind {@code
   * outgoing} was made with.
   */
  public static <ReqT, RespT> ServerCall.Listener<ReqT> start(
      ServerCall<ReqT, RespT> incoming,
      Metadata headers,
      ClientCall<ReqT, RespT> outgoing,
      MethodDescriptor.MethodType outgoingType) {
    Pair<ReqT, RespT> pair =
        new Pair<>(incoming, outgoing, outgoingType.clientSendsOneMessage());
    outgoing.start(pair.responses, headers);
    incoming.request(1);
    outgoing.request(1);
    return pair.requests;
  }

  private static final class Pair<ReqT, RespT> {
    final ServerCall<ReqT, RespT> incoming;
    final ClientCall<ReqT, RespT> outgoing;
    final Requests requests;
    final Responses responses = new Responses();

    Pair(ServerCall<ReqT, RespT> incoming, ClientCall<ReqT, RespT> outgoing, boolean oneRequest) {
      this.incoming = incoming;
      this.outgoing = outgoing;
      this.requests = new Requests(oneRequest);
    }

    /** Caller → proxy → upstream. Runs on the incoming call's serializing executor. */
    final class Requests extends ServerCall.Listener<ReqT> {
      private final boolean oneRequest;

      @GuardedBy("this")
      private boolean wantMore;

      Requests(boolean oneRequest) {
        this.oneRequest = oneRequest;
      }

      @Override
      public void onMessage(ReqT message) {
        outgoing.sendMessage(message);
        synchronized (this) {
          // gRPC reports no readiness for a call of one request: keep reading, so the caller's
          // half-close (or a stray second message, which the far server rejects) gets through.
          if (oneRequest || outgoing.isReady()) {
            incoming.request(1);
          } else {
            wantMore = true;
          }
        }
      }

      @Override
      public void onHalfClose() {
        outgoing.halfClose();
      }

      @Override
      public void onCancel() {
        responses.incomingGone();
        outgoing.cancel("the caller cancelled the call", null);
      }

      @Override
      public void onReady() {
        responses.incomingReady();
      }

      /** The upstream can take more requests. */
      void outgoingReady() {
        synchronized (this) {
          if (!wantMore) {
            return;
          }
          wantMore = false;
        }
        incoming.request(1);
      }
    }

    /** Upstream → proxy → caller. Runs on the outgoing call's executor. */
    final class Responses extends ClientCall.Listener<RespT> {
      @GuardedBy("this")
      private boolean wantMore;

      private boolean headersSent;
      private volatile boolean incomingGone;

      @Override
      public void onHeaders(Metadata headers) {
        if (!headersSent && !incomingGone) {
          headersSent = true;
          incoming.sendHeaders(headers);
        }
      }

      @Override
      public void onMessage(RespT message) {
        if (incomingGone) {
          return;
        }
        if (!headersSent) {
          // MQTT may deliver a reply's headers with the message or not at all; HTTP/2 needs them first.
          headersSent = true;
          incoming.sendHeaders(new Metadata());
        }
        incoming.sendMessage(message);
        synchronized (this) {
          if (incoming.isReady()) {
            outgoing.request(1);
          } else {
            wantMore = true;
          }
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (!incomingGone) {
          incoming.close(status, trailers);
        }
      }

      @Override
      public void onReady() {
        requests.outgoingReady();
      }

      void incomingGone() {
        incomingGone = true;
      }

      /** The caller can take more responses. */
      void incomingReady() {
        synchronized (this) {
          if (!wantMore) {
            return;
          }
          wantMore = false;
        }
        outgoing.request(1);
      }
    }
  }
}
