package io.grpcmqtt.bridge;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code FileDescriptorSet}s (what {@code protoc --descriptor_set_out} writes) into linked
 * {@link FileDescriptor}s.
 *
 * <p>A set written without {@code --include_imports} lacks the files it imports; the well-known
 * types ({@code google/protobuf/*.proto}) are then taken from protobuf-java, and any other missing
 * import is an error naming it.
 */
public final class DescriptorSets {
  private static final ImmutableMap<String, FileDescriptor> WELL_KNOWN = wellKnown();

  private DescriptorSets() {}

  /**
   * Reads and links the descriptor sets in {@code files}; a file in several sets is taken once.
   *
   * @throws IOException when a file cannot be read or is not a valid descriptor set; the message
   *     names the file
   */
  public static List<FileDescriptor> read(List<Path> files) throws IOException {
    List<FileDescriptorProto> protos = new ArrayList<>();
    for (Path file : files) {
      try {
        protos.addAll(FileDescriptorSet.parseFrom(Files.readAllBytes(file)).getFileList());
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(
            file + " is not a FileDescriptorSet (write one with protoc --include_imports"
                + " --descriptor_set_out=FILE): " + e.getMessage(), e);
      }
    }
    try {
      return link(protos);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Links {@code protos} (in any order) into file descriptors, in the order given.
   *
   * @throws IllegalArgumentException naming the file when a file is invalid or an import is
   *     missing
   */
  public static List<FileDescriptor> link(List<FileDescriptorProto> protos) {
    Map<String, FileDescriptorProto> byName = new LinkedHashMap<>();
    for (FileDescriptorProto proto : protos) {
      byName.putIfAbsent(proto.getName(), proto);
    }
    Map<String, FileDescriptor> built = new LinkedHashMap<>();
    for (String name : byName.keySet()) {
      build(name, null, byName, built, new ArrayDeque<>());
    }
    ImmutableList.Builder<FileDescriptor> result = ImmutableList.builder();
    for (String name : byName.keySet()) {
      result.add(built.get(name));
    }
    return result.build();
  }

  private static FileDescriptor build(
      String name,
      String importedBy,
      Map<String, FileDescriptorProto> byName,
      Map<String, FileDescriptor> built,
      Deque<String> path) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = byName.get(name);
    if (proto == null) {
      FileDescriptor wellKnown = WELL_KNOWN.get(name);
      if (wellKnown != null) {
        return wellKnown;
      }
      throw new IllegalArgumentException(
          "'" + name + "', imported by '" + importedBy + "', is not in the descriptor set:"
              + " write the set with protoc --include_imports");
    }
    if (path.contains(name)) {
      throw new IllegalArgumentException("import cycle through '" + name + "'");
    }
    path.push(name);
    FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < deps.length; i++) {
      deps[i] = build(proto.getDependency(i), name, byName, built, path);
    }
    path.pop();
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, deps);
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException("invalid descriptor '" + name + "': " + e.getMessage(), e);
    }
  }

  private static ImmutableMap<String, FileDescriptor> wellKnown() {
    ImmutableMap.Builder<String, FileDescriptor> map = ImmutableMap.builder();
    for (FileDescriptor file :
        new FileDescriptor[] {
          AnyProto.getDescriptor(), ApiProto.getDescriptor(), DescriptorProtos.getDescriptor(),
          DurationProto.getDescriptor(), EmptyProto.getDescriptor(),
          FieldMaskProto.getDescriptor(), SourceContextProto.getDescriptor(),
          StructProto.getDescriptor(), TimestampProto.getDescriptor(), TypeProto.getDescriptor(),
          WrappersProto.getDescriptor()
        }) {
      map.put(file.getName(), file);
    }
    return map.buildKeepingLast();
  }
}
