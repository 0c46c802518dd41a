package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadCodecTest {
  /** A stream that claims a length of its own, right or wrong, as a marshaller's might. */
  private static final class Claiming extends ByteArrayInputStream implements KnownLength {
    private final int claimed;

    Claiming(byte[] bytes, int claimed) {
      super(bytes);
      this.claimed = claimed;
    }

    @Override
    public synchronized int available() {
      return claimed;
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + 1);
    }
    return b;
  }

  /** Each row: the stream's bytes, the length it claims (-1: not a KnownLength stream). */
  @ParameterizedTest
  @CsvSource({
    "0, -1", "5, -1", "70000, -1",
    "0, 0", "1, 1", "64, 64", "16384, 16384",
    "5, 2", "64, 0", "70000, 100",
    "5, 10", "64, 65", "0, 3",
  })
  void readsEveryByteWhateverTheStreamClaims(int size, int claimed) throws IOException {
    byte[] expected = bytes(size);
    InputStream in = claimed < 0
        ? new ByteArrayInputStream(expected) : new Claiming(expected, claimed);
    assertArrayEquals(expected, PayloadCodec.readAll(in));
    assertEquals(-1, in.read());
  }

  @Test
  void readsAProtobufMarshallersStreamWhole() throws IOException {
    MethodDescriptor.Marshaller<BytesValue> marshaller =
        ProtoUtils.marshaller(BytesValue.getDefaultInstance());
    for (int size : new int[] {0, 1, 64, 16384}) {
      BytesValue message = BytesValue.of(ByteString.copyFrom(bytes(size)));
      InputStream in = marshaller.stream(message);
      assertTrue(in instanceof KnownLength);
      assertArrayEquals(message.toByteArray(), PayloadCodec.readAll(in));
    }
  }

  @Test
  void aReceivedMessageKnowsItsLengthAndParses() throws IOException {
    BytesValue message = BytesValue.of(ByteString.copyFrom(bytes(64)));
    InputStream in = PayloadCodec.stream(message.toByteArray());
    assertTrue(in instanceof KnownLength);
    assertEquals(message.getSerializedSize(), in.available());
    assertEquals(message, ProtoUtils.marshaller(BytesValue.getDefaultInstance()).parse(in));
    assertEquals(0, PayloadCodec.stream(new byte[0]).available());
  }
}
