package io.grpcmqtt.mapper.mqtt311;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Mqtt311TopicsTest {
  private final Mqtt311Topics topics = new Mqtt311Topics("grpc");

  @Test
  void layout() {
    assertEquals("grpc/_311/req/+/+/+/grpc/pkg.S/+", topics.requestFilter("grpc/pkg.S/+"));
    assertEquals("grpc/_311/req/+/+/+/gateway/send/#", topics.requestFilter("gateway/send/#"));
    assertEquals("grpc/_311/req/d1/7/json/grpc/pkg.S/M", topics.requestTopic("d1", "7", "json", "grpc/pkg.S/M"));
    assertEquals("grpc/_311/res/d1/7/5", topics.replyTopic("d1", "7", 5));
    assertEquals("grpc/_311/res/d1/#", topics.replyFilter("d1"));
    assertEquals("grpc/_311/res/d1", topics.callerTopic("d1"));
    assertEquals("d1", topics.replyRefOf("grpc/_311/res/d1"));
    assertNull(topics.replyRefOf("grpc/_reply/d1"));
    assertNull(topics.replyRefOf("grpc/_311/res/d1/7"));
    assertEquals("grpc/_311/req/{replyRef}/{requestId}/{options}/gateway/send/{topic}",
        topics.requestAddress("gateway/send/{topic}"));
    assertEquals("grpc/_311/res/{replyRef}/{requestId}/{status}", topics.replyAddress());
    assertTrue(topics.isRequest("grpc/_311/req/x"));
    assertFalse(topics.isRequest("grpc/_311/res/x/1/0"));
    assertFalse(topics.isRequest("grpcx/_311/req/x"));
  }

  @Test
  void aWholeRequest() {
    Mqtt311Request r = topics.parse("grpc/_311/req/dev-1:a/42/json,30S/gateway/send/a/b");
    assertEquals(new Mqtt311Request("dev-1:a", "42", "json", "30S", "gateway/send/a/b", null), r);
    assertEquals("application/json", r.contentType());
    assertEquals("application/protobuf", topics.parse("grpc/_311/req/d/1/pb/grpc/p.S/M").contentType());
    for (String none : new String[] {"-", ""}) {
      Mqtt311Request plain = topics.parse("grpc/_311/req/d/1/" + none + "/grpc/p.S/M");
      assertNull(plain.problem());
      assertNull(plain.format());
      assertNull(plain.contentType());
      assertNull(plain.timeout());
      assertEquals("grpc/p.S/M", plain.requestTopic());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "grpc/_311/req/d                   | has no request id after its reply reference",
    "grpc/_311/req/d/1                 | has no options level after its reply reference",
    "grpc/_311/req//1/-/grpc/p.S/M     | invalid reply reference",
    "grpc/_311/req/a b/1/-/grpc/p.S/M  | invalid reply reference",
    "grpc/_311/req/d//-/grpc/p.S/M     | invalid request id",
    "grpc/_311/req/d/é/-/grpc/p.S/M    | invalid request id",
  })
  void noReplyAddress(String topic, String problem) {
    Mqtt311Request r = topics.parse(topic);
    assertFalse(r.hasReplyAddress());
    assertTrue(r.problem().contains(problem), r.problem());
  }

  @Test
  void lengthLimits() {
    assertTrue(topics.parse("grpc/_311/req/" + "r".repeat(128) + "/" + "i".repeat(64) + "/-/t").hasReplyAddress());
    assertFalse(topics.parse("grpc/_311/req/" + "r".repeat(129) + "/1/-/t").hasReplyAddress());
    assertFalse(topics.parse("grpc/_311/req/r/" + "i".repeat(65) + "/-/t").hasReplyAddress());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "grpc/_311/req/d/1/-        | names no method",
    "grpc/_311/req/d/1/-/       | names no method",
    "grpc/_311/req/d/1/xml/t    | unknown option 'xml'",
    "grpc/_311/req/d/1/json,/t  | unknown option ''",
    "grpc/_311/req/d/1/json,pb/t | names two payload formats",
    "grpc/_311/req/d/1/1S,2S/t  | names two timeouts",
  })
  void refusedWithAReplyAddress(String topic, String problem) {
    Mqtt311Request r = topics.parse(topic);
    assertTrue(r.hasReplyAddress());
    assertEquals("d", r.replyRef());
    assertEquals("1", r.requestId());
    assertNull(r.requestTopic());
    assertTrue(r.problem().contains(problem), r.problem());
  }

  @Test
  void onlyRequestTopicsAreParsed() {
    assertThrows(IllegalArgumentException.class, () -> topics.parse("grpc/p.S/M"));
  }
}
