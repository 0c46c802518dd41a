package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.FileDescriptor;
import io.grpcmqtt.bridge.DescriptorSets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the service definitions come from: .proto files (compiled with protoc) or descriptor sets. */
final class DescriptorOptions {
  @Option(
      names = "--proto",
      paramLabel = "FILE",
      description = "A .proto file defining the services (repeatable). Needs protoc: see --protoc.")
  List<Path> protos = new ArrayList<>();

  @Option(
      names = {"-I", "--import-path"},
      paramLabel = "DIR",
      description = "Where imports of --proto files are found (repeatable; default: each file's directory).")
  List<Path> importPaths = new ArrayList<>();

  @Option(
      names = "--descriptor-set",
      paramLabel = "FILE",
      description = "A FileDescriptorSet, as written by protoc --include_imports --descriptor_set_out (repeatable).")
  List<Path> descriptorSets = new ArrayList<>();

  @Option(
      names = "--protoc",
      paramLabel = "PATH",
      description =
          "The protoc to compile --proto files with. Default: $PROTOC, else protoc on PATH, else"
              + " com.google.protobuf:protoc in the local Maven repository (~/.m2/repository, or"
              + " java -Dmaven.repo.local=DIR).")
  Path protoc;

  boolean isEmpty() {
    return protos.isEmpty() && descriptorSets.isEmpty();
  }

  /** Every file given, linked; an error names the file or tool at fault. */
  List<FileDescriptor> load() throws CliException {
    if (isEmpty()) {
      throw new CliException("no service definitions: give --proto FILE or --descriptor-set FILE");
    }
    List<Path> sets = new ArrayList<>();
    for (Path set : descriptorSets) {
      if (!Files.isRegularFile(set)) {
        throw new CliException("descriptor set " + set + " does not exist");
      }
      sets.add(set);
    }
    Path compiled = null;
    try {
      if (!protos.isEmpty()) {
        compiled = Protoc.compile(Protoc.find(protoc), protos, importPaths);
        sets.add(compiled);
      }
      return DescriptorSets.read(sets);
    } catch (IOException e) {
      throw new CliException(e.getMessage(), e);
    } finally {
      if (compiled != null) {
        Protoc.deleteQuietly(compiled.getParent());
      }
    }
  }
}
