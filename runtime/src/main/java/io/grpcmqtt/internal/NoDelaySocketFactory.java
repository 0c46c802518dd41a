package io.grpcmqtt.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Wraps a socket factory so every socket has TCP_NODELAY set. Paho leaves Nagle's algorithm on,
 * which adds 40-90 ms to a request/response round trip over loopback. Public for the project's
 * other modules that use Paho directly (the Gateway's MQTT bridge, the benchmarks, tests).
 *
 * <p>The plain sockets of {@link #plain()} also read through a buffer. Paho reads from the
 * socket's own stream unbuffered: a packet's first byte, each byte of its remaining length and then
 * its body are separate reads, each a system call (with a poll and a failed read before the first
 * when it waits), and it asks {@code available()} (another system call) before every packet. From
 * the buffer, the packets that arrived together come with one read, and {@code available()} is
 * answered from what is buffered.
 */
public final class NoDelaySocketFactory extends SocketFactory {
  private final SocketFactory delegate;
  /** Plain sockets of the JDK's own factory, made here so that their reads can be buffered. */
  private final boolean buffered;

  private NoDelaySocketFactory(SocketFactory delegate, boolean buffered) {
    this.delegate = delegate;
    this.buffered = buffered;
  }

  /**
   * Returns a factory of no-delay sockets. An {@link SSLSocketFactory} stays one, because Paho
   * insists on that type for {@code ssl://} URIs.
   */
  public static SocketFactory wrap(SocketFactory delegate) {
    if (delegate instanceof SSLSocketFactory) {
      return new NoDelaySsl((SSLSocketFactory) delegate);
    }
    return new NoDelaySocketFactory(delegate, false);
  }

  /** Plain (not TLS) sockets with TCP_NODELAY, read through a buffer. */
  public static SocketFactory plain() {
    return new NoDelaySocketFactory(SocketFactory.getDefault(), true);
  }

  static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(buffered ? new BufferedReadSocket() : delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return buffered
        ? connected(new InetSocketAddress(host, port), null)
        : noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return buffered
        ? connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort))
        : noDelay(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return buffered
        ? connected(new InetSocketAddress(host, port), null)
        : noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return buffered
        ? connected(new InetSocketAddress(address, port),
            new InetSocketAddress(localAddress, localPort))
        : noDelay(delegate.createSocket(address, port, localAddress, localPort));
  }

  /** What {@code new Socket(host, port[, local, localPort])} does, with a buffered socket. */
  private static Socket connected(InetSocketAddress remote, @Nullable InetSocketAddress local)
      throws IOException {
    Socket socket = new BufferedReadSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return noDelay(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** A plain socket whose input stream is one {@link SocketReads} over the socket's own. */
  static final class BufferedReadSocket extends Socket {
    private final Object lock = new Object();

    @GuardedBy("lock")
    @Nullable
    private InputStream in;

    @Override
    public InputStream getInputStream() throws IOException {
      synchronized (lock) {
        if (in == null) {
          in = new SocketReads(super.getInputStream());
        }
        return in;
      }
    }
  }

  /**
   * A buffered socket stream whose {@code available()} counts what it holds before asking the
   * socket: Paho asks before every packet, and the socket answers with a system call.
   */
  static final class SocketReads extends BufferedInputStream {
    SocketReads(InputStream in) {
      super(in);
    }

    @Override
    public synchronized int available() throws IOException {
      int held = count - pos;
      return held > 0 && buf != null ? held : super.available(); // closed: super throws
    }
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
