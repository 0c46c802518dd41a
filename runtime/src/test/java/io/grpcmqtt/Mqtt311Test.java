package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpcmqtt.internal.NoDelaySocketFactory;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.Thing;
import io.grpcmqtt.testing.MosquittoClients;
import io.grpcmqtt.testing.Mqtt311Device;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MQTT 3.1.1 binding (docs/protocol.md §14): devices that speak MQTT 3.1.1 only, the stock
 * {@code mosquitto_pub}/{@code mosquitto_sub -V mqttv311} and Paho's v3 client, call unary methods
 * with everything in topic levels, on both brokers.
 */
class Mqtt311Test {
  private static final String UNARY = "grpcmqtt.test.v1.TestService/Unary";
  private static final AtomicInteger DEVICES = new AtomicInteger();

  /** A fresh reply reference (a client id): devices of other tests never share one. */
  private static String deviceId() {
    return "dev-" + ProcessHandle.current().pid() + "-" + DEVICES.incrementAndGet();
  }

  /** {prefix}/_311/req/{ref}/{id}/{options}/{request topic}. */
  private static String request(String prefix, String ref, String id, String options, String topic) {
    return prefix + "/_311/req/" + ref + "/" + id + "/" + options + "/" + topic;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void stockMosquittoClientsCallAUnaryMethodWithJsonAndProtobuf(TestBroker broker) throws Exception {
    String dev = deviceId();
    try (Rpc rpc = new Rpc(broker);
        MosquittoClients.Subscriber replies = MosquittoClients.subscribe311(
            broker, dev + "-sub", rpc.prefix + "/_311/res/" + dev + "/#")) {
      String method = rpc.prefix + "/" + UNARY;
      MosquittoClients.publish311(broker, dev, request(rpc.prefix, dev, "1", "json", method),
          utf8("{\"text\":\"json from 3.1.1\"}"));
      MosquittoClients.Subscriber.Message json = replies.next();
      assertEquals(rpc.prefix + "/_311/res/" + dev + "/1/0", json.topic());
      Response.Builder parsed = Response.newBuilder();
      JsonFormat.parser().merge(json.text(), parsed);
      assertEquals("json from 3.1.1", parsed.getText());

      MosquittoClients.publish311(broker, dev, request(rpc.prefix, dev, "2", "-", method),
          Request.newBuilder().setText("protobuf").build().toByteArray());
      MosquittoClients.Subscriber.Message protobuf = replies.next();
      assertEquals(rpc.prefix + "/_311/res/" + dev + "/2/0", protobuf.topic());
      assertEquals("protobuf", Response.parseFrom(protobuf.payload()).getText());

      // An error: the status in the last level, the description as the payload.
      MosquittoClients.publish311(broker, dev, request(rpc.prefix, dev, "3", "pb", method),
          Request.newBuilder().setFailCode(5).setFailMessage("no such thing: café").build().toByteArray());
      MosquittoClients.Subscriber.Message error = replies.next();
      assertEquals(rpc.prefix + "/_311/res/" + dev + "/3/5", error.topic());
      assertEquals("no such thing: café", error.text());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void deadlinesDuplicatesAndTheCallerId(TestBroker broker) throws Exception {
    String dev = deviceId();
    Map<String, String> callers = new ConcurrentHashMap<>();
    ServerInterceptor recorder = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        callers.put(MqttCallAttributes.responseTopic(), MqttCallAttributes.callerClientId());
        return next.startCall(call, headers);
      }
    };
    try (Rpc rpc = new Rpc(broker, service -> MqttServerBuilder.forBroker(broker.uri()).intercept(recorder),
            MqttChannelBuilder.forBroker(broker.uri()));
        Mqtt311Device device = Mqtt311Device.connect(broker.uri(), dev, NoDelaySocketFactory.plain())) {
      device.subscribe(rpc.prefix + "/_311/res/" + dev + "/#");
      String method = rpc.prefix + "/" + UNARY;

      // The timeout option is the call's deadline: the handler hangs and is cancelled. The
      // deadline leaves a loaded machine time to start the handler before it passes.
      device.publish(request(rpc.prefix, dev, "t1", "pb,2S", method),
          Request.newBuilder().setHang(true).build().toByteArray());
      assertEquals("Unary", rpc.service.startedHanging.poll(10, TimeUnit.SECONDS));
      Mqtt311Device.Received late = device.next();
      assertEquals(rpc.prefix + "/_311/res/" + dev + "/t1/4", late.topic());
      assertEquals("context timed out", late.text());
      assertEquals("Unary", rpc.service.cancellations.poll(10, TimeUnit.SECONDS));
      assertEquals(dev, callers.get(rpc.prefix + "/_311/res/" + dev), "the reply reference is the caller id");

      // A QoS 1 duplicate (same request id) of a finished call gets the same reply from the
      // reply cache; the handler ran once.
      byte[] once = Request.newBuilder().setText("once-" + dev).build().toByteArray();
      device.publish(request(rpc.prefix, dev, "d1", "-", method), once);
      Mqtt311Device.Received first = device.next();
      device.publish(request(rpc.prefix, dev, "d1", "-", method), once);
      Mqtt311Device.Received second = device.next();
      assertEquals(first.topic(), second.topic());
      assertEquals("once-" + dev, Response.parseFrom(second.payload()).getText());
      assertEquals(1, rpc.service.unaryTexts.get("once-" + dev).get());

      // An empty options level is no options: the broker's '+' matches it too.
      device.publish(request(rpc.prefix, dev, "o1", "", method),
          Request.newBuilder().setText("empty options").build().toByteArray());
      Mqtt311Device.Received empty = device.next();
      assertEquals(rpc.prefix + "/_311/res/" + dev + "/o1/0", empty.topic());
      assertEquals("empty options", Response.parseFrom(empty.payload()).getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void templateTopicsAndTheMethodsDefaultTimeout(TestBroker broker) throws Exception {
    String dev = deviceId();
    String prefix = "m311x" + ProcessHandle.current().pid() + "x" + DEVICES.incrementAndGet();
    MappedServiceImpl service = new MappedServiceImpl();
    Server server = MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix).addService(service)
        .build().start();
    try (Mqtt311Device device = Mqtt311Device.connect(broker.uri(), dev, NoDelaySocketFactory.plain())) {
      device.subscribe(prefix + "/_311/res/" + dev + "/#");
      // A template topic with a body field: the raw payload fills it, the topic the rest.
      device.publish(request(prefix, dev, "1", "-", "things/s1/7/put/floor/2"), utf8("21.5"));
      Mqtt311Device.Received put = device.next();
      assertEquals(prefix + "/_311/res/" + dev + "/1/0", put.topic());
      assertEquals("s1|7|floor/2||21.5", Thing.parseFrom(put.payload()).getSeen());
      // json on the same template: the whole request, topic fields win.
      device.publish(request(prefix, dev, "2", "json", "things/s2/8/put/x"), utf8("{\"text\":\"t\"}"));
      assertEquals("{\"seen\":\"s2|8|x|t|\"}", device.next().text());

      // Quick's (grpcmqtt.method).timeout of 300 ms is the deadline of a request without one...
      device.publish(request(prefix, dev, "3", "json", prefix + "/grpcmqtt.test.v1.MappedService/Quick"),
          utf8("{\"delayMs\":3000}"));
      assertEquals(prefix + "/_311/res/" + dev + "/3/4", device.next().topic());
      // ... and the timeout option overrides it.
      device.publish(request(prefix, dev, "4", "5S,json", prefix + "/grpcmqtt.test.v1.MappedService/Quick"),
          utf8("{\"delayMs\":600}"));
      assertEquals(prefix + "/_311/res/" + dev + "/4/0", device.next().topic());
    } finally {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void badRequestsAreAnsweredWhereAReplyAddressCanBeRead(TestBroker broker) throws Exception {
    String dev = deviceId();
    try (Rpc rpc = new Rpc(broker, service -> MqttServerBuilder.forBroker(broker.uri())
            .maxConcurrentCallsPerClient(1), MqttChannelBuilder.forBroker(broker.uri()));
        Mqtt311Device device = Mqtt311Device.connect(broker.uri(), dev, NoDelaySocketFactory.plain())) {
      String p = rpc.prefix;
      device.subscribe(p + "/_311/res/#");
      String method = p + "/" + UNARY;
      String[][] cases = {
        {"xml", method, "{}", "3", "unknown option 'xml' in options level 'xml': use json, pb and a"
            + " timeout such as 30S, separated by commas, or - for none"},
        {"json,pb", method, "{}", "3", "options level 'json,pb' names two payload formats"},
        {"json,5x", method, "{}", "3", "invalid timeout '5x' in the options level: use 1 to 8 digits"
            + " and a unit, H, M, S, m, u or n"},
        {"json", p + "/grpcmqtt.test.v1.TestService/ServerStream", "{}", "3",
            "grpcmqtt.test.v1.TestService/ServerStream is a server streaming method: the MQTT 3.1.1"
                + " binding carries unary calls only"},
        {"json", p + "/grpcmqtt.test.v1.TestService/Nope", "{}", "12",
            "Method not found: grpcmqtt.test.v1.TestService/Nope"},
        {"json", method, "{\"nope\":1}", "3", "request is not a valid JSON grpcmqtt.test.v1.Request"},
      };
      // Each case has a reply reference of its own: a case that starts a call (an unknown method,
      // a payload that does not parse) holds the caller's one slot until its reply's PUBACK,
      // which can reach the server after the device has read the reply.
      for (int i = 0; i < cases.length; i++) {
        String[] c = cases[i];
        device.publish(request(p, dev + "-" + i, "e" + i, c[0], c[1]), utf8(c[2]));
        Mqtt311Device.Received reply = device.next();
        assertEquals(p + "/_311/res/" + dev + "-" + i + "/e" + i + "/" + c[3], reply.topic(), reply.text());
        assertTrue(reply.text().startsWith(c[4]), reply.text());
      }

      // The caller (its reply reference) has one call slot here: a second call is refused.
      // A refused attempt (status 8) is sent again with a new id, so the test does not depend
      // on when an earlier call's slot comes back.
      String hanging = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (int k = 0; hanging == null && System.nanoTime() < until; k++) {
        device.publish(request(p, dev, "h1-" + k, "pb,10S", method),
            Request.newBuilder().setHang(true).build().toByteArray());
        Mqtt311Device.Received early = null;
        while (hanging == null && early == null && System.nanoTime() < until) {
          hanging = rpc.service.startedHanging.poll(20, TimeUnit.MILLISECONDS);
          early = hanging == null ? device.poll(20) : null;
        }
        if (early != null) {
          assertEquals(p + "/_311/res/" + dev + "/h1-" + k + "/8", early.topic(), early.text());
        }
      }
      assertEquals("Unary", hanging);
      device.publish(request(p, dev, "h2", "json", method), utf8("{}"));
      Mqtt311Device.Received refused = device.next();
      assertEquals(p + "/_311/res/" + dev + "/h2/8", refused.topic());
      assertEquals("the caller at '" + p + "/_311/res/" + dev + "' is at its limit of 1 concurrent"
          + " calls on this server", refused.text());

      // No reply address (a reply reference of 129 characters): only a log line. The next
      // request's reply is the next message on the device's subscription to every reply.
      device.publish(request(p, "r".repeat(129), "x", "json", method), utf8("{}"));
      device.publish(request(p, dev + "b", "ok", "json", method), utf8("{\"text\":\"served\"}"));
      Mqtt311Device.Received served = device.next();
      assertEquals(p + "/_311/res/" + dev + "b/ok/0", served.topic());
      assertEquals("{\"text\":\"served\"}", served.text());
      assertNull(device.poll(200));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aDevicesWillEndsItsCalls(TestBroker broker) throws Exception {
    String dev = deviceId();
    try (Rpc rpc = new Rpc(broker)) {
      org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(
          broker.uri(), dev, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      options.setWill(rpc.prefix + "/_status/client/" + dev, utf8("offline"), 1, false);
      client.connect(options);
      try {
        client.publish(request(rpc.prefix, dev, "w", "-", rpc.prefix + "/" + UNARY),
            Request.newBuilder().setHang(true).build().toByteArray(), 1, false);
        assertEquals("Unary", rpc.service.startedHanging.poll(10, TimeUnit.SECONDS));
        // Gone without a DISCONNECT: the broker publishes the will.
        client.disconnectForcibly(0, 1000, false);
        assertEquals("Unary", rpc.service.cancellations.poll(10, TimeUnit.SECONDS));
      } finally {
        client.close(true);
      }
    }
  }
}
