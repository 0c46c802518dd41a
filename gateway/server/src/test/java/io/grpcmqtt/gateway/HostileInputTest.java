package io.grpcmqtt.gateway;

import io.grpcmqtt.gateway.HostileRequests.Req;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Hostile input against the Gateway, property-based, on both brokers and both stores: batches of
 * random and broken requests on every path (calls in protobuf and JSON, stub calls over MQTT and
 * plain HTTP/2, mutated protobuf, the
 * device Send topic with and without a Response Topic, ingest, bytes the broker must refuse,
 * Receive / ReceiveStream / Ack with bad parameters, streams of clients that vanish without a
 * will). After each batch: every request that asked for an answer got one with a status (OK
 * exactly when it was valid); the store holds exactly the accepted messages; the mirror carried
 * each stored Send and the ingest stored each valid publish; a well-behaved client is served;
 * threads and heap stay bounded.
 *
 * <p>Every property prints its seed; replay one with {@code @Property(seed = "...")}.
 */
@AddLifecycleHook(value = HostileInputTest.PrintSeed.class, propagateTo = PropagationMode.DIRECT_DESCENDANTS)
class HostileInputTest {
  private static final int TRIES = 3;
  private HostileFixture fixture;

  @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
  void hivemqWithH2(@ForAll("batches") List<Req> batch) throws Exception {
    check(Brokers.hivemq(), StoreKind.H2, batch);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
  void hivemqWithPostgres(@ForAll("batches") List<Req> batch) throws Exception {
    check(Brokers.hivemq(), StoreKind.POSTGRES, batch);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
  void mosquittoWithH2(@ForAll("batches") List<Req> batch) throws Exception {
    check(Brokers.mosquitto(), StoreKind.H2, batch);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
  void mosquittoWithPostgres(@ForAll("batches") List<Req> batch) throws Exception {
    check(Brokers.mosquitto(), StoreKind.POSTGRES, batch);
  }

  @Provide
  Arbitrary<List<Req>> batches() {
    return HostileRequests.batches(15, 30);
  }

  private void check(TestBroker broker, StoreKind store, List<Req> batch) throws Exception {
    if (fixture == null) {
      fixture = new HostileFixture(broker, store);
    }
    fixture.run(batch);
    fixture.verify();
  }

  @AfterProperty
  void closeFixture() throws Exception {
    if (fixture != null) {
      System.out.printf("hostile input, %s: %d requests (%d refused, %d stub calls over HTTP/2), %d vanished streams;"
          + " threads +%d, heap +%d KiB%n", fixture.name, fixture.requests, fixture.refusedRequests, fixture.http2Calls,
          fixture.vanishedStreams, fixture.maxThreads, fixture.maxHeap / 1024);
      fixture.close();
      fixture = null;
    }
  }

  /** Prints each property's seed, passed or failed, so any run can be replayed. */
  static final class PrintSeed implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
      PropertyExecutionResult result = property.execute();
      System.out.printf("hostile input, %s: seed %s (%s)%n", context.label(), result.seed().orElse("?"), result.status());
      return result;
    }
  }
}
