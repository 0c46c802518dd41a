package io.grpcmqtt.it;

import io.grpc.stub.StreamObserver;
import io.grpcmqtt.it.devices.DevicesGrpc;
import io.grpcmqtt.it.devices.Method;
import io.grpcmqtt.it.greeter.v1.GreeterGrpc;
import io.grpcmqtt.it.greeter.v1.HelloReply;
import io.grpcmqtt.it.greeter.v1.HelloRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Implementations of the golden set's services that say what they received, so tests can check
 * which fields reached the handler. Every request handled is also queued in {@link #received}.
 */
final class Services {
  final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

  static String describe(HelloRequest r) {
    return r.getName() + "|" + r.getGreeting() + "|" + r.getText() + "|" + r.getTimes();
  }

  final GreeterGrpc.AsyncService greeter = new GreeterGrpc.AsyncService() {
    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloReply> out) {
      reply(request, "hello " + describe(request), out);
    }

    @Override
    public void shout(HelloRequest request, StreamObserver<HelloReply> out) {
      reply(request, "shout " + describe(request), out);
    }

    @Override
    public void plain(HelloRequest request, StreamObserver<HelloReply> out) {
      reply(request, "plain " + describe(request), out);
    }

    @Override
    public void countdown(HelloRequest request, StreamObserver<HelloReply> out) {
      received.add(request);
      for (int i = request.getTimes(); i > 0; i--) {
        out.onNext(HelloReply.newBuilder().setMessage(Integer.toString(i)).build());
      }
      out.onCompleted();
    }

    @Override
    public StreamObserver<HelloRequest> collect(StreamObserver<HelloReply> out) {
      List<String> names = new ArrayList<>();
      return new StreamObserver<>() {
        @Override
        public void onNext(HelloRequest request) {
          received.add(request);
          names.add(request.getName());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onNext(HelloReply.newBuilder().setMessage("collected").addAllSeen(names).build());
          out.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<HelloRequest> chat(StreamObserver<HelloReply> out) {
      return echo(out);
    }
  };

  /** The second Greeter, in package acme.greeter.v1.nested, which has no options at all. */
  final acme.greeter.v1.nested.GreeterGrpc.AsyncService nestedGreeter =
      new acme.greeter.v1.nested.GreeterGrpc.AsyncService() {
        @Override
        public void sayHello(HelloRequest request, StreamObserver<HelloReply> out) {
          reply(request, "nested hello " + describe(request), out);
        }

        @Override
        public StreamObserver<HelloRequest> echo(StreamObserver<HelloReply> out) {
          return Services.this.echo(out);
        }
      };

  final DevicesGrpc.AsyncService devices = new DevicesGrpc.AsyncService() {
    @Override
    public void method(Method request, StreamObserver<io.grpcmqtt.it.devices.String> out) {
      answer(request, "method", out);
    }

    @Override
    public void invoke(Method request, StreamObserver<io.grpcmqtt.it.devices.String> out) {
      answer(request, "invoke", out);
    }

    private void answer(
        Method request, String what, StreamObserver<io.grpcmqtt.it.devices.String> out) {
      received.add(request);
      out.onNext(io.grpcmqtt.it.devices.String.newBuilder()
          .setValue(what + " " + request.getDeviceId() + "|" + request.getName() + "|"
              + request.getArgs().toStringUtf8())
          .build());
      out.onCompleted();
    }
  };

  private StreamObserver<HelloRequest> echo(StreamObserver<HelloReply> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(HelloRequest request) {
        received.add(request);
        out.onNext(HelloReply.newBuilder().setMessage("echo " + request.getName()).build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  private void reply(HelloRequest request, String message, StreamObserver<HelloReply> out) {
    received.add(request);
    out.onNext(HelloReply.newBuilder().setMessage(message).build());
    out.onCompleted();
  }
}
