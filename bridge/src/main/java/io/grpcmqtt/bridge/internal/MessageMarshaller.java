package io.grpcmqtt.bridge.internal;

import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * Like {@link RawMarshaller}, but it names the method's message type, so a grpc-mqtt server can
 * check requests and translate JSON (devices) before the bytes are forwarded. It writes either a
 * message (what the server parsed) or raw bytes (what came back from the far side), and reads raw
 * bytes.
 */
public final class MessageMarshaller implements MethodDescriptor.PrototypeMarshaller<Object> {
  private final Message prototype;

  public MessageMarshaller(Message prototype) {
    this.prototype = prototype;
  }

  @Override
  public Object getMessagePrototype() {
    return prototype;
  }

  @Override
  public Class<Object> getMessageClass() {
    return Object.class;
  }

  @Override
  public InputStream stream(Object value) {
    if (value instanceof byte[]) {
      return RawMarshaller.INSTANCE.stream((byte[]) value);
    }
    return new ByteArrayInputStream(((MessageLite) value).toByteArray());
  }

  @Override
  public Object parse(InputStream stream) {
    return RawMarshaller.INSTANCE.parse(stream);
  }
}
