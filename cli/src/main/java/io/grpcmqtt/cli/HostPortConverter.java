package io.grpcmqtt.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code host:port} or {@code [v6]:port}, resolved now so a bad name is a usage error. */
final class HostPortConverter implements ITypeConverter<InetSocketAddress> {
  @Override
  public InetSocketAddress convert(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new TypeConversionException("'" + value + "' is not host:port");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' has no numeric port");
    }
    if (port < 0 || port > 65535) {
      throw new TypeConversionException("port " + port + " of '" + value + "' is out of range");
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new TypeConversionException("cannot resolve host '" + host + "'");
    }
    return address;
  }
}
