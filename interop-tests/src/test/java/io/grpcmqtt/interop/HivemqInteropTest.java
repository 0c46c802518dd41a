package io.grpcmqtt.interop;

import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;

/** The interop cases through the embedded HiveMQ CE. */
class HivemqInteropTest extends InteropSuite {
  @Override
  protected TestBroker broker() {
    return Brokers.hivemq();
  }
}
