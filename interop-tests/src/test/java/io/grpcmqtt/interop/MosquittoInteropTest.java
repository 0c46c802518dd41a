package io.grpcmqtt.interop;

import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;

/** The interop cases through Mosquitto. */
class MosquittoInteropTest extends InteropSuite {
  @Override
  protected TestBroker broker() {
    return Brokers.mosquitto();
  }
}
