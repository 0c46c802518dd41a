package io.grpcmqtt;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The far end of the fault tests, run in its own JVM: {@code server BROKER PREFIX ID} serves the
 * test service; {@code client BROKER PREFIX ID} holds one hanging server stream open. Both use a
 * 2 s keep-alive and short will delays so that failure detection fits in a test.
 */
public final class FaultProcess {
  private FaultProcess() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String broker = args[1];
    String prefix = args[2];
    String id = args[3];
    if (mode.equals("server")) {
      TestServiceImpl service = new TestServiceImpl(id);
      Server server =
          MqttServerBuilder.forBroker(broker)
              .topicPrefix(prefix)
              .clientId(id)
              .keepAliveTime(2, TimeUnit.SECONDS)
              .willDelay(Duration.ofSeconds(1))
              .sessionExpiry(Duration.ofSeconds(2))
              .addService(service)
              .build()
              .start();
      System.out.println("READY " + id);
      while (!server.isShutdown()) {
        String method = service.startedHanging.poll(1, TimeUnit.SECONDS);
        if (method != null) {
          System.out.println("HANGING " + method);
        }
      }
    } else {
      ManagedChannel channel =
          MqttChannelBuilder.forBroker(broker)
              .topicPrefix(prefix)
              .clientId(id)
              .keepAliveTime(2, TimeUnit.SECONDS)
              .build();
      CountDownLatch never = new CountDownLatch(1);
      TestServiceGrpc.newStub(channel)
          .withDeadlineAfter(120, TimeUnit.SECONDS)
          .serverStream(
              Request.newBuilder().setHang(true).build(),
              new StreamObserver<Response>() {
                @Override
                public void onNext(Response value) {
                  System.out.println("STREAMING from " + value.getServer());
                }

                @Override
                public void onError(Throwable t) {
                  System.out.println("ERROR " + t);
                }

                @Override
                public void onCompleted() {
                  System.out.println("COMPLETED");
                }
              });
      never.await(120, TimeUnit.SECONDS);
    }
  }
}
