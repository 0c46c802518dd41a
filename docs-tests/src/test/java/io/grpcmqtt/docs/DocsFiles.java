package io.grpcmqtt.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of a Markdown page that the page marks for testing, verbatim: a block right
 * after {@code <!-- file: PATH -->} is a whole file of a project, one after {@code <!-- snippet:
 * NAME -->} a fragment. The markers do not show when the page is rendered.
 */
final class DocsFiles {
  private static final Pattern MARKED_BLOCK = Pattern.compile(
      "<!-- (file|snippet): (\\S+) -->\\n+```[a-z]*\\n(.*?)```\\n", Pattern.DOTALL);

  private final Path page;
  private final Map<String, String> files = new LinkedHashMap<>();
  private final Map<String, String> snippets = new LinkedHashMap<>();

  DocsFiles(Path page) throws IOException {
    this.page = page;
    Matcher m = MARKED_BLOCK.matcher(Files.readString(page, StandardCharsets.UTF_8));
    while (m.find()) {
      Map<String, String> into = m.group(1).equals("file") ? files : snippets;
      if (into.put(m.group(2), m.group(3)) != null) {
        throw new IllegalStateException(page + " marks two blocks as " + m.group(1) + " " + m.group(2));
      }
    }
  }

  /** Every marked file: its path in the project and its text. */
  Map<String, String> files() {
    return files;
  }

  /** The marked fragment {@code name}. */
  String snippet(String name) {
    String text = snippets.get(name);
    if (text == null) {
      throw new IllegalStateException(page + " has no block marked <!-- snippet: " + name + " -->");
    }
    return text;
  }

  /** Writes every marked file under {@code project}. */
  void writeProject(Path project) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalStateException(page + " has no block marked <!-- file: PATH -->");
    }
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = project.resolve(file.getKey());
      Files.createDirectories(path.getParent() == null ? project : path.getParent());
      Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
    }
  }
}
