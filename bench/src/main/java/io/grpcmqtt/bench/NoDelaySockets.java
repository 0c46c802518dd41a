package io.grpcmqtt.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets with TCP_NODELAY for the raw Paho clients of the floor (plain {@code tcp://} only), as
 * grpc-mqtt's own connections have: with Nagle on, each round trip costs 40-90 ms and the floor
 * would measure that. The floor is plain Paho on purpose, with no grpc-mqtt code in it.
 */
final class NoDelaySockets extends SocketFactory {
  /** The one method Paho's {@code tcp://} network module calls: it connects the socket itself. */
  @Override
  public Socket createSocket() throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket(String host, int port) {
    throw connected();
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
    throw connected();
  }

  @Override
  public Socket createSocket(InetAddress host, int port) {
    throw connected();
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) {
    throw connected();
  }

  private static UnsupportedOperationException connected() {
    return new UnsupportedOperationException(
        "the floor's Paho clients ask for unconnected sockets only (createSocket())");
  }
}
