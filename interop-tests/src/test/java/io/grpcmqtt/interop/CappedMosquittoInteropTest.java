package io.grpcmqtt.interop;

import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.MosquittoBroker;
import io.grpcmqtt.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;

/**
 * The interop cases through a Mosquitto started with {@code max_packet_size 131072}, the order of
 * cloud brokers' limits (AWS IoT Core 128 KiB): every message above it, up to the 10 MiB cases,
 * crosses in chunks.
 */
class CappedMosquittoInteropTest extends InteropSuite {
  static final int CAP = 131_072;
  private static MosquittoBroker broker;

  @Override
  protected TestBroker broker() {
    synchronized (CappedMosquittoInteropTest.class) {
      if (broker == null) {
        broker = Brokers.newMosquitto("max_packet_size " + CAP);
      }
      return broker;
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }
}
