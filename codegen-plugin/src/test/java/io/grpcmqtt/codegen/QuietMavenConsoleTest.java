package io.grpcmqtt.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the plugin copies its errors to Maven's console. That the copy reaches a user under {@code
 * mvn -q} is tested end to end by {@code docs-tests} (a real quiet Maven build of a project with
 * an invalid option).
 */
class QuietMavenConsoleTest {
  @Test
  void quietIsMinusQOrDashDashQuietAmongMavensArguments() {
    assertTrue(QuietMavenConsole.isQuiet("-B -q package"));
    assertTrue(QuietMavenConsole.isQuiet(" --quiet verify"));
    assertTrue(QuietMavenConsole.isQuiet("-q"));
    assertFalse(QuietMavenConsole.isQuiet("-B -ntp verify"));
    assertFalse(QuietMavenConsole.isQuiet("-Dq=1 -Dquiet package"));
    assertFalse(QuietMavenConsole.isQuiet(""));
    assertFalse(QuietMavenConsole.isQuiet(null));
  }

  @Test
  void withoutAQuietMavenThereIsNoConsoleToCopyTo() {
    assertTrue(QuietMavenConsole.of(Map.of(), ProcessHandle.current()).isEmpty());
    assertTrue(QuietMavenConsole.of(Map.of("MAVEN_CMD_LINE_ARGS", "-B verify"), ProcessHandle.current())
        .isEmpty());
  }
}
