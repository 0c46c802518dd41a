package io.grpcmqtt.gateway.internal;

import com.google.protobuf.ByteString;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.gateway.v1.Message;

/** Store records as wire messages. */
final class Protos {
  private Protos() {}

  static Message toMessage(StoredMessage m) {
    return Message.newBuilder()
        .setMsgId(Long.toString(m.id()))
        .setTopic(m.topic())
        .setPayload(ByteString.copyFrom(m.payload()))
        .setTimestampMs(m.createdMillis())
        .putAllHeaders(m.headers())
        .setDeliveryCount(m.deliveryCount())
        .build();
  }
}
