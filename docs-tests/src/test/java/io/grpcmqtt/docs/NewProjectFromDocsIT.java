package io.grpcmqtt.docs;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.Commands;
import io.grpcmqtt.testing.MosquittoBroker;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;

/**
 * The new project of docs/mapping.md §7, its files copied verbatim from the page, built by a
 * separate Maven (the one running this build) against this build's artifacts, offline, and run:
 * one call through Mosquitto. Fails when the page drifts from what works.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NewProjectFromDocsIT {
  private static final Path DOCS = Path.of(System.getProperty("docs.dir"));
  private static final Path WORK = Path.of(System.getProperty("work.dir"));
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final String BAD_OPTION_ERROR = "[ERROR] protoc-gen-grpc-mqtt: hello/v1/greeter.proto:"
      + " service hello.v1.Greeter, method SayHello, option (grpcmqtt.method).topic: invalid topic"
      + " template \"hello/{nmae}\": field path 'nmae': message hello.v1.HelloRequest has no field 'nmae'";

  private static DocsFiles mapping;
  private static ReactorRepository repository;
  private static Path settings;

  @BeforeAll
  static void installThisBuildsArtifacts() throws Exception {
    deleteRecursively(WORK);
    Files.createDirectories(WORK);
    mapping = new DocsFiles(DOCS.resolve("mapping.md"));
    repository = ReactorRepository.install(Path.of(System.getProperty("reactor.dir")),
        WORK.resolve("repository"), Path.of(System.getProperty("outer.repository")));
    settings = repository.writeSettings(WORK.resolve("settings.xml"));
  }

  @Test
  void thePomNamesTheVersionsOfThisBuild() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(
        new ByteArrayInputStream(mapping.files().get("pom.xml").getBytes(StandardCharsets.UTF_8)));
    Map<String, String> expected = Map.of(
        "//dependency[artifactId='grpc-mqtt-bom']/version", version("project"),
        "//plugin[artifactId='protobuf-maven-plugin']/version", version("protobuf-maven-plugin"),
        "//protocVersion", version("protobuf"),
        "//binaryMavenPlugin[artifactId='protoc-gen-grpc-java']/version", version("grpc"),
        "//jvmMavenPlugin[artifactId='protoc-gen-grpc-mqtt']/version", version("project"),
        "//plugin[artifactId='maven-compiler-plugin']/version", version("compiler-plugin"),
        "//dependency[artifactId='slf4j-simple']/version", version("slf4j"));
    var xpath = XPathFactory.newInstance().newXPath();
    List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String actual = xpath.evaluate(e.getKey(), pom).trim();
      checks.add(() -> assertEquals(e.getValue(), actual, "docs/mapping.md pom.xml " + e.getKey()));
    }
    assertAll(checks);
  }

  @Test
  void theProjectBuildsAndItsCallGoesThroughABroker() throws Exception {
    Path project = newProject("hello");
    Commands.Result build = mvn(project, "compile",
        "org.apache.maven.plugins:maven-dependency-plugin:" + version("dependency-plugin") + ":build-classpath",
        "-Dmdep.outputFile=target/classpath.txt");
    assertEquals(0, build.exit(), "the docs' project does not build: " + build);
    List<String> warnings = build.output().lines()
        .filter(line -> line.startsWith("[WARNING]"))
        // The outer local repository, read as a remote one, keeps no checksum files.
        .filter(line -> !line.contains("Could not validate integrity of download from file:")
            && !line.contains("no checksums available from outer-build"))
        .toList();
    assertEquals(List.of(), warnings, "the docs' project builds with warnings");

    String classPath = project.resolve("target/classes") + File.pathSeparator
        + Files.readString(project.resolve("target/classpath.txt")).trim();
    try (MosquittoBroker broker = Brokers.newMosquitto()) {
      Commands.Result run = Commands.run(project, Duration.ofMinutes(1), Map.of(), List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", classPath, "com.example.hello.Main", broker.uri()));

      assertEquals(0, run.exit(), run.toString());
      assertTrue(run.output().contains("Hello, world (devices call it on hello/world)"), run.toString());
      // The logging backend of the docs works: grpc-mqtt's INFO lines are there.
      // (Which runtime class logs it is the runtime's business: any logger of io.grpcmqtt.)
      assertTrue(Pattern.compile("INFO io\\.grpcmqtt\\.[\\w.]+ - server '").matcher(run.output()).find(),
          run.toString());
      assertFalse(run.output().contains("SLF4J"), run.toString());
    }
  }

  @Test
  void theDocumentedResourcesPutTheAsyncApiDocumentsIntoTheJar() throws Exception {
    Path project = newProject("resources");
    Path pom = project.resolve("pom.xml");
    String text = Files.readString(pom);
    String snippet = mapping.snippet("asyncapi-resources");
    Files.writeString(pom, text.replace("  <build>\n", "  <build>\n" + snippet.indent(4)));

    Commands.Result build = mvn(project, "process-resources");

    assertEquals(0, build.exit(), build.toString());
    assertTrue(Files.isRegularFile(
        project.resolve("target/classes/META-INF/asyncapi/hello.v1.Greeter.asyncapi.json")),
        "target/classes (what the jar holds) lacks META-INF/asyncapi/hello.v1.Greeter.asyncapi.json");
  }

  @Test
  void anInvalidOptionIsReportedUnderMvnQuiet() throws Exception {
    Path project = newProject("invalid");
    Path proto = project.resolve("src/main/proto/hello/v1/greeter.proto");
    String text = Files.readString(proto);
    assertTrue(text.contains("\"hello/{name}\""), "the docs' proto changed: adapt this test");
    Files.writeString(proto, text.replace("\"hello/{name}\"", "\"hello/{nmae}\""));

    Commands.Result build = mvn(project, "-q", "generate-sources");

    assertNotEquals(0, build.exit(), build.toString());
    assertTrue(build.output().contains(BAD_OPTION_ERROR + "\n"), build.toString());
    assertTrue(build.output().indexOf(BAD_OPTION_ERROR) < build.output().indexOf("PROTOC FAILED"),
        "the error must come before Maven's failure: " + build);
  }

  /** A fresh project directory holding the docs' files. */
  private static Path newProject(String name) throws Exception {
    Path project = WORK.resolve(name);
    mapping.writeProject(project);
    return project;
  }

  /**
   * The Maven of this build, run offline in {@code project} with a private local repository
   * ({@link ReactorRepository}); only {@code file:} repositories are allowed to answer.
   */
  private static Commands.Result mvn(Path project, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
        "-B", "-o", "-Daether.offline.protocols=file",
        "-s", settings.toString(), "-gs", settings.toString(),
        "-Dmaven.repo.local=" + repository.root()));
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    // The outer build's command line must not leak into the inner one's.
    env.put("MAVEN_CMD_LINE_ARGS", null);
    env.put("MAVEN_ARGS", null);
    env.put("MAVEN_CONFIG", null);
    return Commands.run(project, BUILD_TIMEOUT, env, command);
  }

  private static String version(String name) {
    return System.getProperty("version." + name);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
