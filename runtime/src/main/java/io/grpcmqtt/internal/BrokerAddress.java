package io.grpcmqtt.internal;

import java.net.SocketAddress;

/** The "address" a channel connects to: an MQTT broker URI. */
public final class BrokerAddress extends SocketAddress {
  private static final long serialVersionUID = 1L;
  private final String uri;

  public BrokerAddress(String uri) {
    this.uri = uri;
  }

  public String uri() {
    return uri;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BrokerAddress && ((BrokerAddress) o).uri.equals(uri);
  }

  @Override
  public int hashCode() {
    return uri.hashCode();
  }

  @Override
  public String toString() {
    return uri;
  }
}
