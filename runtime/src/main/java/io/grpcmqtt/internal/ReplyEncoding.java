package io.grpcmqtt.internal;

import io.grpc.Status;

/**
 * How the frame that ends a call is addressed and what its payload holds. MQTT 5 callers get it on
 * their Response Topic with the status in user properties ({@link #MQTT5}); MQTT 3.1.1 callers,
 * who cannot read properties, get the status in a topic level and the error text as the payload
 * ({@link V311Replies}).
 */
interface ReplyEncoding {
  /** The wire contract's own: the Response Topic, the payload as it is, chunked when too large. */
  ReplyEncoding MQTT5 = new ReplyEncoding() {
    @Override
    public String topic(String responseTopic, Status status) {
      return responseTopic;
    }

    @Override
    public byte[] payload(byte[] response, Status status) {
      return response;
    }

    @Override
    public boolean chunked() {
      return true;
    }
  };

  /** Where the call's last frame goes, given the request's (Response or caller) topic. */
  String topic(String responseTopic, Status status);

  /** The last frame's payload: {@code response} is the response message, or empty on an error. */
  byte[] payload(byte[] response, Status status);

  /** Whether a last frame too large for one PUBLISH may travel in chunks (§7.7). */
  boolean chunked();
}
