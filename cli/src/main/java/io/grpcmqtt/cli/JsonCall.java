package io.grpcmqtt.cli;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * One call with JSON in and out: requests from a {@link RequestSource}, sent as the call's flow
 * control allows; each response printed as one line as it arrives.
 */
final class JsonCall {
  private final Channel channel;
  private final MethodDescriptor<DynamicMessage, DynamicMessage> method;
  private final CallOptions options;
  private final Metadata headers;
  private final JsonFormat.Printer printer;
  private final PrintWriter out;
  private final PrintWriter err;
  private final CallTrace trace;
  private final ErrorFormat format;

  private final CountDownLatch closed = new CountDownLatch(1);
  private final Object readiness = new Object();
  private volatile Status status;
  private volatile Metadata trailers;
  private volatile String localError;
  private ClientCall<DynamicMessage, DynamicMessage> call;

  JsonCall(
      Channel channel,
      MethodDescriptor<DynamicMessage, DynamicMessage> method,
      CallOptions options,
      Metadata headers,
      JsonFormat.Printer printer,
      PrintWriter out,
      PrintWriter err,
      CallTrace trace,
      ErrorFormat format) {
    this.channel = channel;
    this.method = method;
    this.options = options;
    this.headers = headers;
    this.printer = printer;
    this.out = out;
    this.err = err;
    this.trace = trace;
    this.format = format;
  }

  /**
   * Makes the call and waits for its end.
   *
   * @return the exit code: the status code, or INVALID_ARGUMENT for a request that could not be
   *     read (the call is then cancelled)
   */
  int run(RequestSource requests) throws InterruptedException {
    Thread cancelOnExit = new Thread(() -> cancel("grpc-mqtt was interrupted"), "grpc-mqtt-cancel");
    Runtime.getRuntime().addShutdownHook(cancelOnExit);
    try {
      trace.started();
      call = channel.newCall(method, options);
      call.start(new Listener(), headers);
      call.request(1);
      if (method.getType().clientSendsOneMessage()) {
        send(requests);
      } else {
        // stdin may block forever; the call's end must not wait for it.
        Thread sender = new Thread(() -> send(requests), "grpc-mqtt-requests");
        sender.setDaemon(true);
        sender.start();
      }
      closed.await();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cancelOnExit);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run.
      }
    }
    return report();
  }

  private int report() {
    Status reported = localError != null
        ? Status.INVALID_ARGUMENT.withDescription(localError)
        : status;
    trace.closed(status, trailers);
    if (!reported.isOk()) {
      format.status(err, "call", reported, localError != null ? null : trailers);
    }
    err.flush();
    return reported.getCode().value();
  }

  private void send(RequestSource requests) {
    try {
      DynamicMessage request;
      while ((request = requests.next()) != null) {
        if (!awaitReady()) {
          return;
        }
        synchronized (this) {
          call.sendMessage(request);
        }
      }
      synchronized (this) {
        call.halfClose();
      }
    } catch (RequestSource.InvalidRequest e) {
      localError = e.getMessage();
      cancel("invalid request");
    } catch (RuntimeException e) {
      localError = "cannot read the requests: " + e.getMessage();
      cancel("cannot read the requests");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel("interrupted");
    }
  }

  /**
   * Waits until the call can take a message; false when it ended meanwhile. A call with one
   * request never waits: gRPC buffers that message, and does not report readiness for it.
   */
  private boolean awaitReady() throws InterruptedException {
    if (method.getType().clientSendsOneMessage()) {
      return true;
    }
    synchronized (readiness) {
      while (!call.isReady()) {
        if (closed.getCount() == 0) {
          return false;
        }
        readiness.wait();
      }
    }
    return closed.getCount() > 0;
  }

  private synchronized void cancel(String why) {
    if (call != null && closed.getCount() > 0) {
      call.cancel(why, null);
    }
  }

  private final class Listener extends ClientCall.Listener<DynamicMessage> {
    @Override
    public void onHeaders(Metadata responseHeaders) {
      trace.headers(responseHeaders);
    }

    @Override
    public void onMessage(DynamicMessage message) {
      trace.response();
      try {
        out.println(printer.print(message));
        out.flush();
      } catch (InvalidProtocolBufferException e) {
        localError = "cannot print a response as JSON: " + e.getMessage();
        cancel("cannot print a response");
        return;
      }
      call.request(1);
    }

    @Override
    public void onReady() {
      synchronized (readiness) {
        readiness.notifyAll();
      }
    }

    @Override
    public void onClose(Status s, Metadata t) {
      status = s;
      trailers = t;
      closed.countDown();
      synchronized (readiness) {
        readiness.notifyAll();
      }
    }
  }
}
