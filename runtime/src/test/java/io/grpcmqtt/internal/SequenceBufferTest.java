package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SequenceBufferTest {
  @Test
  void restoresOrderAndDropsDuplicates() {
    SequenceBuffer<String> buffer = new SequenceBuffer<>(0, 4);
    assertEquals(SequenceBuffer.Offer.ACCEPTED, buffer.offer(1, "b"));
    assertNull(buffer.poll());
    assertEquals(SequenceBuffer.Offer.DUPLICATE, buffer.offer(1, "b again"));
    assertEquals(SequenceBuffer.Offer.ACCEPTED, buffer.offer(0, "a"));
    assertEquals("a", buffer.poll());
    assertEquals("b", buffer.poll());
    assertNull(buffer.poll());
    assertEquals(SequenceBuffer.Offer.DUPLICATE, buffer.offer(0, "a again"));
    assertEquals(2, buffer.nextExpected());
  }

  @Test
  void boundsEarlyArrivalsButAlwaysTakesTheNextExpected() {
    SequenceBuffer<Integer> buffer = new SequenceBuffer<>(0, 2);
    assertEquals(SequenceBuffer.Offer.ACCEPTED, buffer.offer(5, 5));
    assertEquals(SequenceBuffer.Offer.ACCEPTED, buffer.offer(6, 6));
    assertEquals(SequenceBuffer.Offer.OVERFLOW, buffer.offer(7, 7));
    assertEquals(SequenceBuffer.Offer.ACCEPTED, buffer.offer(0, 0));
  }
}
