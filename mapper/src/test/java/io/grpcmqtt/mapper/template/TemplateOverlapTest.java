package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateOverlapTest {

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      # a                     | b                       | shared topic (blank: none)
      a/b                     | a/b                     | a/b
      a/b                     | a/c                     |
      a/b                     | a/b/c                   |
      a/{x}                   | a/b                     | a/b
      a/{x}                   | a/{y}                   | a/x
      */b                     | a/*                     | a/b
      a/{x}                   | b/{x}                   |
      a/{x}/c                 | a/b/{y}                 | a/b/c
      gateway/send/{t=**}     | gateway/send            |
      gateway/send/{t=**}     | gateway/send/x          | gateway/send/x
      gateway/send/{t=**}     | gateway/send/{q}/z      | gateway/send/x/z
      gateway/send/{t=**}     | gateway/{q=**}          | gateway/send/x
      gateway/send/{t=**}     | gateway/recv/{q=**}     |
      {t=**}                  | a                       | a
      {t=**}                  | {u=**}                  | x
      a/{t=**}                | a                       |
      """)
  void detectsOverlapBothWays(String a, String b, String shared) {
    TopicTemplate left = TopicTemplate.parse(a);
    TopicTemplate right = TopicTemplate.parse(b);

    assertEquals(Optional.ofNullable(shared), TemplateOverlap.exampleTopic(left, right));
    assertEquals(shared != null, TemplateOverlap.overlaps(left, right));
    assertEquals(shared != null, TemplateOverlap.overlaps(right, left));
    if (shared != null) {
      assertTrue(left.match(shared).isPresent(), "a matches the example");
      assertTrue(right.match(shared).isPresent(), "b matches the example");
    }
  }
}
