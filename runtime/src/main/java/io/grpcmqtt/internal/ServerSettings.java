package io.grpcmqtt.internal;

import javax.annotation.Nullable;

/** Immutable server-only settings, alongside its {@link ConnectionConfig}. */
public final class ServerSettings {
  final ConnectionConfig connection;
  /** Shared-subscription group, or null when each instance gets every request. */
  @Nullable final String sharedGroup;
  final int maxInboundMessageSize;
  final int maxInboundMetadataSize;
  final int maxConcurrentCalls;

  public ServerSettings(
      ConnectionConfig connection,
      @Nullable String sharedGroup,
      int maxInboundMessageSize,
      int maxInboundMetadataSize,
      int maxConcurrentCalls) {
    this.connection = connection;
    this.sharedGroup = sharedGroup;
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.maxInboundMetadataSize = maxInboundMetadataSize;
    this.maxConcurrentCalls = maxConcurrentCalls;
  }
}
