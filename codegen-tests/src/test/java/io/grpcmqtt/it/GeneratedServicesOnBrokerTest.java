package io.grpcmqtt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.it.devices.DevicesMqtt2;
import io.grpcmqtt.it.devices.Method;
import io.grpcmqtt.it.greeter.v1.GreeterMqtt;
import io.grpcmqtt.it.greeter.v1.HelloReply;
import io.grpcmqtt.it.greeter.v1.HelloRequest;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated classes host and call the golden set's services through real brokers: every call
 * kind, templated and default topics, a service prefix, and the services whose names clash.
 */
class GeneratedServicesOnBrokerTest {
  private static HelloRequest hello(String name) {
    return HelloRequest.newBuilder().setName(name).setGreeting("hi").build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyMethodOfEveryGeneratedServiceAnswers(TestBroker broker) throws Exception {
    try (Fixture f = new Fixture(broker)) {
      GreeterMqttStubs stubs = new GreeterMqttStubs(f.channel);

      assertEquals("hello ada|hi||0", stubs.blocking.sayHello(hello("ada")).getMessage());
      assertEquals("shout ada|hey/there|loud|0", stubs.blocking.shout(hello("ada").toBuilder()
          .setGreeting("hey/there").setText("loud").build()).getMessage());
      assertEquals("plain bob|hi||0", stubs.blocking.plain(hello("bob")).getMessage());
      List<String> countdown = new ArrayList<>();
      stubs.blocking.countdown(hello("c").toBuilder().setTimes(3).build())
          .forEachRemaining(r -> countdown.add(r.getMessage()));
      assertEquals(List.of("3", "2", "1"), countdown);
      assertEquals(List.of("x", "y"), collect(stubs, "x", "y").getSeenList());
      assertEquals(List.of("echo p", "echo q"), chat(GreeterMqtt.newStub(f.channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)::chat, "p", "q"));

      acme.greeter.v1.nested.GreeterGrpc.GreeterBlockingStub nested =
          acme.greeter.v1.nested.GreeterMqtt.newBlockingStub(f.channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS);
      assertEquals("nested hello n|hi||0", nested.sayHello(hello("n")).getMessage());
      assertEquals(List.of("echo r"), chat(acme.greeter.v1.nested.GreeterMqtt.newStub(f.channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)::echo, "r"));

      io.grpcmqtt.it.devices.DevicesGrpc.DevicesBlockingStub devices =
          DevicesMqtt2.newBlockingStub(f.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      Method reboot = Method.newBuilder().setDeviceId("d7").setName("reboot")
          .setArgs(ByteString.copyFromUtf8("now")).build();
      assertEquals("method d7|reboot|now", devices.method(reboot).getValue());
      assertEquals("invoke d7|reboot|now", devices.invoke(reboot).getValue());
    }
  }

  private static HelloReply collect(GreeterMqttStubs stubs, String... names) throws Exception {
    CompletableFuture<HelloReply> reply = new CompletableFuture<>();
    StreamObserver<HelloRequest> requests = stubs.async.collect(observer(reply, null));
    for (String name : names) {
      requests.onNext(hello(name));
    }
    requests.onCompleted();
    return reply.get(10, TimeUnit.SECONDS);
  }

  private static List<String> chat(
      java.util.function.Function<StreamObserver<HelloReply>, StreamObserver<HelloRequest>> call,
      String... names) throws Exception {
    List<String> replies = new ArrayList<>();
    CompletableFuture<HelloReply> done = new CompletableFuture<>();
    StreamObserver<HelloRequest> requests = call.apply(observer(done, replies));
    for (String name : names) {
      requests.onNext(hello(name));
    }
    requests.onCompleted();
    done.get(10, TimeUnit.SECONDS);
    synchronized (replies) {
      return List.copyOf(replies);
    }
  }

  /** Completes {@code last} with the last reply (or null) when the call ends; adds each to {@code all}. */
  private static StreamObserver<HelloReply> observer(
      CompletableFuture<HelloReply> last, List<String> all) {
    return new StreamObserver<>() {
      private HelloReply latest;

      @Override
      public void onNext(HelloReply value) {
        latest = value;
        if (all != null) {
          synchronized (all) {
            all.add(value.getMessage());
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        last.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        last.complete(latest);
      }
    };
  }

  /** The Greeter stubs, made by the generated helpers. */
  private static final class GreeterMqttStubs {
    final io.grpcmqtt.it.greeter.v1.GreeterGrpc.GreeterBlockingStub blocking;
    final io.grpcmqtt.it.greeter.v1.GreeterGrpc.GreeterStub async;

    GreeterMqttStubs(ManagedChannel channel) {
      blocking = GreeterMqtt.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      async = GreeterMqtt.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
  }

  /** A server hosting the three services via their generated helpers, and a channel to it. */
  static final class Fixture implements AutoCloseable {
    private static int counter;

    final Services services = new Services();
    final String prefix;
    final Server server;
    final ManagedChannel channel;

    Fixture(TestBroker broker) throws java.io.IOException {
      prefix = "cg" + ProcessHandle.current().pid() + "x" + (++counter);
      MqttServerBuilder builder = MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix);
      GreeterMqtt.addService(builder, services.greeter);
      acme.greeter.v1.nested.GreeterMqtt.addService(builder, services.nestedGreeter);
      DevicesMqtt2.addService(builder, services.devices);
      server = builder.build().start();
      channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).templateTopics(true).build();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
