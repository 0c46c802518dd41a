package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.EmptyProto;
import io.grpc.MethodDescriptor.MethodType;
import io.grpcmqtt.bridge.test.v1.EchoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MethodTypesTest {
  private static final String ECHO = "grpcmqtt.bridge.test.v1.Echo/";

  @Test
  void kindsComeFromTheDescriptors() {
    MethodTypes types = MethodTypes.of(List.of(EchoProto.getDescriptor()));
    assertEquals(MethodType.UNARY, types.typeOf(ECHO + "Unary"));
    assertEquals(MethodType.SERVER_STREAMING, types.typeOf(ECHO + "ServerStream"));
    assertEquals(MethodType.CLIENT_STREAMING, types.typeOf(ECHO + "ClientStream"));
    assertEquals(MethodType.BIDI_STREAMING, types.typeOf(ECHO + "Bidi"));
    assertEquals(4, types.size());
    assertTrue(types.knows(ECHO + "Unary"));
    assertFalse(types.knows(ECHO + "Nope"));
    assertEquals(MethodType.BIDI_STREAMING, types.typeOf(ECHO + "Nope"));
    assertEquals(MethodType.UNARY, types.withDefault(MethodType.UNARY).typeOf("x.Y/Z"));
    assertThrows(IllegalArgumentException.class, () -> types.withDefault(MethodType.UNKNOWN));
  }

  @Test
  void withoutDescriptorsEveryCallIsBidi() {
    assertEquals(MethodType.BIDI_STREAMING, MethodTypes.allBidi().typeOf(ECHO + "Unary"));
  }

  @Test
  void descriptorSetsLinkInAnyOrderAndFallBackToWellKnownTypes(@TempDir Path dir) throws IOException {
    FileDescriptorProto dependent =
        FileDescriptorProto.newBuilder()
            .setName("b.proto").setPackage("b").setSyntax("proto3")
            .addDependency("a.proto").addDependency("google/protobuf/empty.proto")
            .addMessageType(com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder()
                .setName("B")
                .addField(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.newBuilder()
                    .setName("a").setNumber(1).setTypeName(".a.A")
                    .setType(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE)))
            .build();
    FileDescriptorProto base =
        FileDescriptorProto.newBuilder()
            .setName("a.proto").setPackage("a").setSyntax("proto3")
            .addMessageType(com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder().setName("A"))
            .build();
    Path set = dir.resolve("set.pb");
    Files.write(set, FileDescriptorSet.newBuilder().addFile(dependent).addFile(base).build().toByteArray());

    List<FileDescriptor> files = DescriptorSets.read(List.of(set));
    assertEquals("b.proto", files.get(0).getName());
    assertEquals(EmptyProto.getDescriptor(), files.get(0).getDependencies().get(1));
    assertEquals("a.A", files.get(0).findMessageTypeByName("B").getFields().get(0).getMessageType().getFullName());
  }

  @Test
  void aMissingImportOrABadFileIsNamed(@TempDir Path dir) throws IOException {
    Path set = dir.resolve("set.pb");
    Files.write(set, FileDescriptorSet.newBuilder()
        .addFile(FileDescriptorProto.newBuilder().setName("b.proto").addDependency("a.proto"))
        .build().toByteArray());
    IOException missing = assertThrows(IOException.class, () -> DescriptorSets.read(List.of(set)));
    assertEquals(
        "'a.proto', imported by 'b.proto', is not in the descriptor set: write the set with protoc"
            + " --include_imports",
        missing.getMessage());

    Path garbage = dir.resolve("garbage.pb");
    Files.writeString(garbage, "not a descriptor set");
    IOException bad = assertThrows(IOException.class, () -> DescriptorSets.read(List.of(garbage)));
    assertTrue(bad.getMessage().startsWith(garbage + " is not a FileDescriptorSet"), bad.getMessage());
  }
}
