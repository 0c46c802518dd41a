package io.grpcmqtt.samples.mapping;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.broker.EmbeddedBroker;
import io.grpcmqtt.samples.mapping.v1.Target;
import io.grpcmqtt.samples.mapping.v1.ThermostatMqtt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Hosts the Thermostat service with its generated mapping class, calls it once through the
 * generated stub, and serves until Ctrl-C / SIGTERM so devices can publish to it.
 *
 * <pre>
 * java -cp ... io.grpcmqtt.samples.mapping.ThermostatDemo [--broker tcp://host:port]
 * mosquitto_pub -h 127.0.0.1 -p 1883 -t home/kitchen/temperature -m 21.5
 * </pre>
 */
public final class ThermostatDemo {
  static {
    // The HiveMQ jar ships a logback.xml too; name ours so Logback need not choose between them.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "thermostat-logback.xml");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ThermostatDemo.class);
  private static final String USAGE =
      "usage: ThermostatDemo [--broker tcp://host:port]  (default: an embedded broker on 127.0.0.1:1883)";

  private ThermostatDemo() {}

  public static void main(String[] args) throws Exception {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    String brokerUri = null;
    if (args.length == 2 && args[0].equals("--broker")) {
      brokerUri = args[1];
    } else if (args.length != 0) {
      System.err.println(USAGE);
      System.exit(2);
    }
    EmbeddedBroker broker = null;
    if (brokerUri == null) {
      broker = EmbeddedBroker.builder().bindAddress("127.0.0.1").port(1883).start();
      brokerUri = broker.uri();
      log.info("embedded broker on {}", brokerUri);
    }
    Server server = ThermostatMqtt.addService(MqttServerBuilder.forBroker(brokerUri),
        new ThermostatService()).build().start();
    ManagedChannel channel = MqttChannelBuilder.forBroker(brokerUri).templateTopics(true).build();
    log.info("{} via the generated stub", ThermostatMqtt.newBlockingStub(channel)
        .setTarget(Target.newBuilder().setRoom("kitchen").setCelsius(21).build()).getNote());
    java.net.URI uri = java.net.URI.create(brokerUri);
    log.info("serving; try: mosquitto_pub -h {} -p {} -t home/kitchen/temperature -m 21.5",
        uri.getHost(), uri.getPort());

    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedBroker ownBroker = broker;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      channel.shutdown();
      server.shutdown();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (ownBroker != null) {
        ownBroker.close();
      }
      stopped.countDown();
    }, "thermostat-shutdown"));
    stopped.await();
  }
}
