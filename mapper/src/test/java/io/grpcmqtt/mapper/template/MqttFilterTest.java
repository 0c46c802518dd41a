package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The examples of MQTT 5 §4.7, so the test-only matcher can be trusted as an oracle. */
class MqttFilterTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      sport/tennis/player1/#  | sport/tennis/player1                 | true
      sport/tennis/player1/#  | sport/tennis/player1/ranking         | true
      sport/tennis/player1/#  | sport/tennis/player1/score/wimbledon | true
      sport/#                 | sport                                | true
      #                       | sport/tennis                         | true
      sport/tennis/+          | sport/tennis/player1                 | true
      sport/tennis/+          | sport/tennis/player1/ranking         | false
      sport/+                 | sport                                | false
      sport/+                 | sport/                               | true
      +/+                     | /finance                             | true
      /+                      | /finance                             | true
      +                       | /finance                             | false
      #                       | $SYS/broker                          | false
      +/monitor/Clients       | $SYS/monitor/Clients                 | false
      $SYS/#                  | $SYS/broker                          | true
      $SYS/monitor/+          | $SYS/monitor/Clients                 | true
      a/b                     | a/b                                  | true
      a/b                     | a/c                                  | false
      """)
  void followsTheSpecExamples(String filter, String topic, boolean matches) {
    assertEquals(matches, MqttFilter.matches(filter, topic));
  }
}
