package io.grpcmqtt.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * An MQTT 5 publisher written on a bare socket, for what no client library will send: topics and
 * user properties with control characters, unpaired surrogates or invalid UTF-8. Every string is
 * given as raw bytes. It only connects and publishes (QoS 0 or 1); the broker may refuse a
 * malformed packet by closing the connection, which {@link #publish} reports as {@code false}.
 */
final class RawMqtt implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private int nextPacketId = 1;

  RawMqtt(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, "MQTT".getBytes(StandardCharsets.US_ASCII));
    body.write(5); // protocol level: MQTT 5
    body.write(0x02); // clean start, no will, no credentials
    body.write(0);
    body.write(60); // keep alive 60 s
    varInt(body, 0); // no properties
    string(body, ("raw-" + UUID.randomUUID().toString().substring(0, 8)).getBytes(StandardCharsets.US_ASCII));
    packet(0x10, body.toByteArray());
    int type = in.readUnsignedByte();
    byte[] connack = new byte[readVarInt()];
    in.readFully(connack);
    if (type != 0x20 || connack.length < 2 || connack[1] != 0) {
      throw new IOException("broker refused the connection (packet 0x" + Integer.toHexString(type) + ")");
    }
  }

  /** A user property as raw bytes. */
  record Property(byte[] key, byte[] value) {
    static Property of(String key, String value) {
      return new Property(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Publishes; for QoS 1 waits for the PUBACK.
   *
   * @param responseTopic null for none
   * @param contentType null for none
   * @return false when the broker closed the connection instead (it refused the packet), or its
   *     PUBACK reason code was an error
   */
  boolean publish(byte[] topic, byte[] payload, int qos, byte[] responseTopic, byte[] correlation,
      String contentType, Property... userProperties) throws IOException {
    ByteArrayOutputStream props = new ByteArrayOutputStream();
    if (responseTopic != null) {
      props.write(0x08);
      string(props, responseTopic);
    }
    if (correlation != null) {
      props.write(0x09);
      string(props, correlation);
    }
    if (contentType != null) {
      props.write(0x03);
      string(props, contentType.getBytes(StandardCharsets.UTF_8));
    }
    for (Property p : userProperties) {
      props.write(0x26);
      string(props, p.key());
      string(props, p.value());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, topic);
    int id = 0;
    if (qos > 0) {
      id = nextPacketId;
      nextPacketId = nextPacketId % 65_535 + 1;
      body.write(id >> 8);
      body.write(id & 0xff);
    }
    varInt(body, props.size());
    props.writeTo(body);
    body.write(payload);
    try {
      packet(0x30 | (qos << 1), body.toByteArray());
      if (qos == 0) {
        return true;
      }
      while (true) {
        int type = in.readUnsignedByte();
        byte[] rest = new byte[readVarInt()];
        in.readFully(rest);
        if (type == 0xE0) {
          return false; // DISCONNECT: refused
        }
        if (type == 0x40 && rest.length >= 2 && ((rest[0] & 0xff) << 8 | (rest[1] & 0xff)) == id) {
          return rest.length < 3 || (rest[2] & 0xff) < 0x80;
        }
      }
    } catch (EOFException | SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      if (socket.isClosed() || e.getMessage() != null && e.getMessage().contains("reset")) {
        return false;
      }
      throw e;
    }
  }

  /** Drops the TCP connection without DISCONNECT, as a device losing power does. */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }

  private void packet(int header, byte[] body) throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(header);
    varInt(p, body.length);
    p.write(body);
    out.write(p.toByteArray());
    out.flush();
  }

  private int readVarInt() throws IOException {
    int value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      int b = in.readUnsignedByte();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed remaining length");
  }

  private static void string(ByteArrayOutputStream out, byte[] bytes) {
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xff);
    out.writeBytes(bytes);
  }

  private static void varInt(ByteArrayOutputStream out, int value) {
    do {
      int b = value & 0x7f;
      value >>>= 7;
      out.write(value > 0 ? b | 0x80 : b);
    } while (value > 0);
  }
}
