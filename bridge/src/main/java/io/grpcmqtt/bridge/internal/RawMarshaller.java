package io.grpcmqtt.bridge.internal;

import com.google.common.io.ByteStreams;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Passes serialized messages through untouched: a proxy never needs to parse them. */
public final class RawMarshaller implements MethodDescriptor.Marshaller<byte[]> {
  public static final RawMarshaller INSTANCE = new RawMarshaller();

  private RawMarshaller() {}

  @Override
  public InputStream stream(byte[] value) {
    return new Bytes(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try (stream) {
      return ByteStreams.toByteArray(stream);
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot read a message").withCause(e).asRuntimeException();
    }
  }

  /** Lets gRPC frame the message without copying it first. */
  private static final class Bytes extends ByteArrayInputStream implements KnownLength {
    Bytes(byte[] bytes) {
      super(bytes);
    }
  }
}
