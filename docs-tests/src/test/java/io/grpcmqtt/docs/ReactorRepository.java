package io.grpcmqtt.docs;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A private Maven local repository holding this build's artifacts as {@code mvn install} would
 * lay them out, so a separate Maven can use them without anything being installed into the
 * shared {@code ~/.m2}. Third-party artifacts come from the outer build's local repository, read
 * as a {@code file:} repository through {@link #settings()}.
 */
final class ReactorRepository {
  private final Path root;
  private final Path outer;

  private ReactorRepository(Path root, Path outer) {
    this.root = root;
    this.outer = outer;
  }

  /**
   * Installs into {@code root} the pom of every module of the reactor at {@code reactor} and the
   * packaged jar of every module on this JVM's class path (what the tests depend on).
   *
   * @param outer the local repository of the outer build, which has resolved every third-party
   *     artifact the reactor's modules need
   */
  static ReactorRepository install(Path reactor, Path root, Path outer) throws Exception {
    List<String> classPath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    for (Module module : modules(reactor.toRealPath())) {
      Path dir = root.resolve(module.groupId.replace('.', '/')).resolve(module.artifactId).resolve(module.version);
      Files.createDirectories(dir);
      String base = module.artifactId + "-" + module.version;
      Files.copy(module.dir.resolve("pom.xml"), dir.resolve(base + ".pom"), StandardCopyOption.REPLACE_EXISTING);
      Path jar = module.dir.resolve("target").resolve(base + ".jar");
      Path classes = module.dir.resolve("target").resolve("classes");
      for (String entry : classPath) {
        Path onClassPath = Path.of(entry).toAbsolutePath().normalize();
        if (onClassPath.equals(classes)) {
          throw new IllegalStateException(module.artifactId + " is on the class path unpackaged ("
              + classes + "): run the tests of docs-tests with `mvn verify`, which packages it");
        }
        if (onClassPath.equals(jar)) {
          Files.copy(jar, dir.resolve(base + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return new ReactorRepository(root, outer);
  }

  Path root() {
    return root;
  }

  /** Maven settings that send every remote repository to the outer local repository. */
  String settings() {
    return String.join("\n",
        "<settings>",
        "  <mirrors>",
        "    <mirror>",
        "      <id>outer-build</id>",
        "      <mirrorOf>*</mirrorOf>",
        "      <url>" + outer.toUri() + "</url>",
        "    </mirror>",
        "  </mirrors>",
        "</settings>",
        "");
  }

  private record Module(Path dir, String groupId, String artifactId, String version) {}

  /** The reactor's modules, from the root pom's {@code <modules>} down. */
  private static List<Module> modules(Path dir) throws Exception {
    Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(dir.resolve("pom.xml").toFile()).getDocumentElement();
    Element parent = child(pom, "parent");
    String groupId = text(pom, "groupId", parent);
    String version = text(pom, "version", parent);
    List<Module> modules = new ArrayList<>();
    modules.add(new Module(dir, groupId, child(pom, "artifactId").getTextContent().trim(), version));
    Element list = child(pom, "modules");
    if (list != null) {
      for (Node n = list.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e && e.getTagName().equals("module")) {
          modules.addAll(modules(dir.resolve(e.getTextContent().trim()).normalize()));
        }
      }
    }
    return modules;
  }

  private static String text(Element pom, String name, Element parent) {
    Element own = child(pom, name);
    return (own != null ? own : child(parent, name)).getTextContent().trim();
  }

  private static Element child(Element element, String name) {
    if (element == null) {
      return null;
    }
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  /** Writes {@link #settings()} to {@code file}. */
  Path writeSettings(Path file) throws IOException {
    Files.writeString(file, settings(), StandardCharsets.UTF_8);
    return file;
  }
}
