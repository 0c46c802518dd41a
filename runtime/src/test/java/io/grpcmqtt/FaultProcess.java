package io.grpcmqtt;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The far end of the fault tests, run in its own JVM: {@code server BROKER PREFIX ID} serves the
 * test service with the builder's defaults (only the id is fixed, so a restart with the same
 * arguments is the same instance; a fifth argument opts in to a session of that many seconds),
 * and on SIGTERM stops as a deployment would: {@code shutdown()}, then waits for its calls; {@code client BROKER PREFIX ID} holds one hanging server stream open,
 * with a 2 s keep-alive so that failure detection fits in a test.
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
      MqttServerBuilder builder =
          MqttServerBuilder.forBroker(broker).topicPrefix(prefix).clientId(id).addService(service);
      if (args.length > 4) {
        builder.sessionExpiry(java.time.Duration.ofSeconds(Long.parseLong(args[4])));
      }
      Server server = builder.build().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.shutdown();
        try {
          server.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        System.out.println("STOPPED " + id);
      }));
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
