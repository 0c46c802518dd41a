package io.grpcmqtt.interop;

import io.grpc.ClientStreamTracer;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a transport tells one stream's tracer: the message events in order, the uncompressed sizes
 * and the final status. These are what grpc-java's metrics and tracing modules read.
 */
final class RecordingTracer {
  final BlockingQueue<String> outbound = new LinkedBlockingQueue<>();
  final BlockingQueue<String> inbound = new LinkedBlockingQueue<>();
  final AtomicLong outboundUncompressed = new AtomicLong();
  final AtomicLong inboundUncompressed = new AtomicLong();
  final AtomicReference<Status> status = new AtomicReference<>();
  final CountDownLatch closed = new CountDownLatch(1);
  volatile boolean outboundHeaders;
  volatile String fullMethodName;
  volatile Context filteredContext;

  Status awaitStatus() throws InterruptedException {
    if (!closed.await(5, TimeUnit.SECONDS)) {
      throw new AssertionError("the tracer was not told the call ended within 5 s");
    }
    return status.get();
  }

  private void outboundMessage(int seq) {
    outbound.add("outboundMessage(" + seq + ")");
  }

  private void outboundMessageSent(int seq, long wire, long uncompressed) {
    outbound.add("outboundMessageSent(" + seq + ")");
  }

  private void inboundMessage(int seq) {
    inbound.add("inboundMessage(" + seq + ")");
  }

  private void inboundMessageRead(int seq, long wire, long uncompressed) {
    inbound.add("inboundMessageRead(" + seq + ")");
  }

  private void streamClosed(Status s) {
    if (status.compareAndSet(null, s)) {
      closed.countDown();
    }
  }

  /** A client tracer reporting to {@code record}. */
  static ClientStreamTracer client(RecordingTracer record) {
    return new ClientStreamTracer() {
      @Override
      public void outboundHeaders() {
        record.outboundHeaders = true;
      }

      @Override
      public void outboundMessage(int seq) {
        record.outboundMessage(seq);
      }

      @Override
      public void outboundMessageSent(int seq, long wire, long uncompressed) {
        record.outboundMessageSent(seq, wire, uncompressed);
      }

      @Override
      public void outboundUncompressedSize(long bytes) {
        record.outboundUncompressed.addAndGet(bytes);
      }

      @Override
      public void inboundMessage(int seq) {
        record.inboundMessage(seq);
      }

      @Override
      public void inboundMessageRead(int seq, long wire, long uncompressed) {
        record.inboundMessageRead(seq, wire, uncompressed);
      }

      @Override
      public void inboundUncompressedSize(long bytes) {
        record.inboundUncompressed.addAndGet(bytes);
      }

      @Override
      public void streamClosed(Status status) {
        record.streamClosed(status);
      }
    };
  }

  /** A server tracer reporting to {@code record}. */
  static ServerStreamTracer server(RecordingTracer record) {
    return new ServerStreamTracer() {
      @Override
      public Context filterContext(Context context) {
        record.filteredContext = context;
        return context;
      }

      @Override
      public void outboundMessage(int seq) {
        record.outboundMessage(seq);
      }

      @Override
      public void outboundMessageSent(int seq, long wire, long uncompressed) {
        record.outboundMessageSent(seq, wire, uncompressed);
      }

      @Override
      public void outboundUncompressedSize(long bytes) {
        record.outboundUncompressed.addAndGet(bytes);
      }

      @Override
      public void inboundMessage(int seq) {
        record.inboundMessage(seq);
      }

      @Override
      public void inboundMessageRead(int seq, long wire, long uncompressed) {
        record.inboundMessageRead(seq, wire, uncompressed);
      }

      @Override
      public void inboundUncompressedSize(long bytes) {
        record.inboundUncompressed.addAndGet(bytes);
      }

      @Override
      public void streamClosed(Status status) {
        record.streamClosed(status);
      }
    };
  }

  /** Makes a server tracer per call and queues its record. */
  static ServerStreamTracer.Factory serverFactory(BlockingQueue<RecordingTracer> records) {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        RecordingTracer record = new RecordingTracer();
        record.fullMethodName = fullMethodName;
        records.add(record);
        return server(record);
      }
    };
  }

  /** Makes a client tracer per stream and queues its record. */
  static ClientStreamTracer.Factory clientFactory(BlockingQueue<RecordingTracer> records) {
    return new ClientStreamTracer.Factory() {
      @Override
      public ClientStreamTracer newClientStreamTracer(
          ClientStreamTracer.StreamInfo info, Metadata headers) {
        RecordingTracer record = new RecordingTracer();
        records.add(record);
        return client(record);
      }
    };
  }
}
