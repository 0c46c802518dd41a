package io.grpcmqtt.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Message counters that {@link ServerProcess}'s child increments and the bench reads, in a small
 * file both map. With {@code --separate} the receiving side of a stream sits in the child, but the
 * bench measures the rate it receives at, and the raw floor's publisher is throttled by it: a
 * shared mapping gives both what an {@code AtomicLong} gives in one process, a counter read
 * without a system call or a message, so the floor runs as it does in one process.
 */
final class SharedCounters {
  /** Messages every Sink call of the child's service has received. */
  static final int SINK = 0;
  private static final int SLOTS = 3;
  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private final MappedByteBuffer buffer;

  private SharedCounters(MappedByteBuffer buffer) {
    this.buffer = buffer;
  }

  /** Maps {@code file}, making it as large as the counters need; new counters read 0. */
  static SharedCounters map(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      // The mapping stays valid once the channel is closed.
      return new SharedCounters(ch.map(FileChannel.MapMode.READ_WRITE, 0, SLOTS * 8L));
    }
  }

  /** The slot of the raw subscriber of {@code library}'s floor. */
  static int pubSub(RawMqtt.Library library) {
    return switch (library) {
      case PAHO -> 1;
      case HIVEMQ -> 2;
    };
  }

  void increment(int slot) {
    LONGS.getAndAdd(buffer, slot * 8, 1L);
  }

  long get(int slot) {
    return (long) LONGS.getAcquire(buffer, slot * 8);
  }
}
