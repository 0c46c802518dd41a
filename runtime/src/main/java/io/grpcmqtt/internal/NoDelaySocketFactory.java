package io.grpcmqtt.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Wraps a socket factory so every socket has TCP_NODELAY set. Paho leaves Nagle's algorithm on,
 * which adds 40-90 ms to a request/response round trip over loopback. Public for the project's
 * other modules that use Paho directly (the Gateway's MQTT bridge, the benchmarks, tests).
 */
public final class NoDelaySocketFactory extends SocketFactory {
  private final SocketFactory delegate;

  private NoDelaySocketFactory(SocketFactory delegate) {
    this.delegate = delegate;
  }

  /**
   * Returns a factory of no-delay sockets. An {@link SSLSocketFactory} stays one, because Paho
   * insists on that type for {@code ssl://} URIs.
   */
  public static SocketFactory wrap(SocketFactory delegate) {
    if (delegate instanceof SSLSocketFactory) {
      return new NoDelaySsl((SSLSocketFactory) delegate);
    }
    return new NoDelaySocketFactory(delegate);
  }

  /** Plain (not TLS) sockets with TCP_NODELAY. */
  public static SocketFactory plain() {
    return new NoDelaySocketFactory(SocketFactory.getDefault());
  }

  static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(address, port, localAddress, localPort));
  }

  private static final class NoDelaySsl extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    NoDelaySsl(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return noDelay(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
