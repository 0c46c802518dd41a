package io.grpcmqtt.internal;

import io.grpc.internal.StreamListener;
import java.io.InputStream;
import javax.annotation.Nullable;

/** Hands one message to a gRPC stream listener. */
final class SingleMessageProducer implements StreamListener.MessageProducer {
  private InputStream message;

  SingleMessageProducer(InputStream message) {
    this.message = message;
  }

  @Nullable
  @Override
  public InputStream next() {
    InputStream result = message;
    message = null;
    return result;
  }
}
