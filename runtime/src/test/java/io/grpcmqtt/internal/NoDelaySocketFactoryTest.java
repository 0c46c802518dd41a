package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {
  /** Counts the calls a buffered stream makes on the socket's own stream. */
  private static final class CountingStream extends InputStream {
    private final ByteArrayInputStream bytes;
    int reads;
    int availableCalls;

    CountingStream(byte[] data) {
      this.bytes = new ByteArrayInputStream(data);
    }

    @Override
    public int read() {
      reads++;
      return bytes.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reads++;
      return bytes.read(b, off, len);
    }

    @Override
    public int available() {
      availableCalls++;
      return bytes.available();
    }
  }

  @Test
  void packetsThatArrivedTogetherTakeOneReadOfTheSocket() throws IOException {
    // Two MQTT packets as Paho reads them: first byte, remaining length, body; twice.
    byte[] puback = {0x40, 0x02, 0x00, 0x01};
    byte[] publish = {0x30, 0x05, 0x00, 0x01, 'a', 'h', 'i'};
    byte[] both = new byte[puback.length + publish.length];
    System.arraycopy(puback, 0, both, 0, puback.length);
    System.arraycopy(publish, 0, both, puback.length, publish.length);
    CountingStream socket = new CountingStream(both);
    DataInputStream in = new DataInputStream(new NoDelaySocketFactory.SocketReads(socket));

    for (byte[] packet : new byte[][] {puback, publish}) {
      assertTrue(in.available() > 0);
      byte first = in.readByte();
      int length = in.readUnsignedByte();
      byte[] body = new byte[length];
      in.readFully(body);
      byte[] read = new byte[2 + length];
      read[0] = first;
      read[1] = (byte) length;
      System.arraycopy(body, 0, read, 2, length);
      assertArrayEquals(packet, read);
    }
    assertEquals(1, socket.reads);
    // Asked before the first packet only, when nothing was held yet.
    assertEquals(1, socket.availableCalls);
    // Nothing held: available() asks the socket, as Paho's unbuffered stream did.
    assertEquals(0, in.available());
    assertEquals(2, socket.availableCalls);
  }

  @Test
  void closedStreamStillRefusesAvailable() throws IOException {
    NoDelaySocketFactory.SocketReads in =
        new NoDelaySocketFactory.SocketReads(new CountingStream(new byte[] {1, 2, 3}));
    assertEquals(1, in.read());
    in.close();
    assertThrows(IOException.class, in::available);
  }

  @Test
  void plainSocketsHaveNoDelayAndOneBufferedStream() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Socket unconnected = NoDelaySocketFactory.plain().createSocket();
      try (Socket client = unconnected) {
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        try (Socket accepted = server.accept()) {
          assertTrue(client.getTcpNoDelay());
          InputStream in = client.getInputStream();
          assertInstanceOf(NoDelaySocketFactory.SocketReads.class, in);
          assertSame(in, client.getInputStream());
          OutputStream out = accepted.getOutputStream();
          out.write(new byte[] {7, 8, 9});
          out.flush();
          assertEquals(7, in.read());
          assertEquals(8, in.read());
          assertEquals(9, in.read());
        }
      }
      try (Socket connected = NoDelaySocketFactory.plain()
              .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          Socket accepted = server.accept()) {
        assertTrue(connected.getTcpNoDelay());
        assertInstanceOf(NoDelaySocketFactory.SocketReads.class, connected.getInputStream());
        accepted.getOutputStream().write(42);
        assertEquals(42, connected.getInputStream().read());
      }
    }
  }
}
