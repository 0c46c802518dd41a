package io.grpcmqtt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every AsyncAPI document the build generated passes the official parser ({@code @asyncapi/parser},
 * pinned by src/test/asyncapi/package-lock.json) with no error and no warning.
 */
class AsyncApiValidationTest {
  private static final Path SOURCES = Paths.get(System.getProperty("asyncapi.sources"));
  private static final Path NODE_DIR = Paths.get(System.getProperty("asyncapi.node.dir"));
  private static final Path GENERATED = Paths.get(System.getProperty("generated.dir"), "asyncapi");

  @Test
  void generatedDocumentsValidateWithNoErrorAndNoWarning() throws Exception {
    Commands.require("node", "validating the generated AsyncAPI documents");
    Commands.require("npm", "installing @asyncapi/parser");
    Files.createDirectories(NODE_DIR);
    for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
      Files.copy(SOURCES.resolve(file), NODE_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    // --ignore-scripts: a dependency's install script would phone home; the parser needs none.
    Commands.Result npm = Commands.run(NODE_DIR, Duration.ofMinutes(5), Map.of(),
        List.of("npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"));
    assertEquals(0, npm.exit(), "npm install: " + npm);

    List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
    try (Stream<Path> documents = Files.list(GENERATED)) {
      documents.filter(p -> p.toString().endsWith(".asyncapi.json")).sorted()
          .forEach(p -> command.add(p.toString()));
    }
    assertTrue(command.size() >= 5, "expected the documents of the golden set in " + GENERATED);
    Commands.Result result = Commands.run(NODE_DIR, Duration.ofMinutes(2), Map.of(), command);

    assertEquals(0, result.exit(), result.toString());
    assertEquals(command.size() - 2, result.output().lines()
        .filter(line -> line.endsWith(": valid, 0 error(s), 0 warning(s)")).count(), result.toString());
  }
}
