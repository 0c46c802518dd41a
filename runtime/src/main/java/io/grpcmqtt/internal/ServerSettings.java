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
  /** Calls one Response Topic may have running at once on this server. */
  final int maxConcurrentCallsPerClient;
  /** The deadline of requests that carry none; 0 for none. */
  final long defaultDeadlineNanos;
  /** How often Response Topics holding streams are checked for a subscriber; 0 for never. */
  final long probeIntervalNanos;

  public ServerSettings(
      ConnectionConfig connection,
      @Nullable String sharedGroup,
      int maxInboundMessageSize,
      int maxInboundMetadataSize,
      int maxConcurrentCalls,
      int maxConcurrentCallsPerClient,
      long defaultDeadlineNanos,
      long probeIntervalNanos) {
    this.connection = connection;
    this.sharedGroup = sharedGroup;
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.maxInboundMetadataSize = maxInboundMetadataSize;
    this.maxConcurrentCalls = maxConcurrentCalls;
    this.maxConcurrentCallsPerClient = maxConcurrentCallsPerClient;
    this.defaultDeadlineNanos = defaultDeadlineNanos;
    this.probeIntervalNanos = probeIntervalNanos;
  }
}
