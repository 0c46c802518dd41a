/*
 * A constrained device calling the RobustMQ Gateway with nothing but libmosquitto and
 * hand-encoded protobuf: Send a reading, Receive the oldest message of the topic, Ack it.
 *
 *   gateway_device -h 127.0.0.1 -p 1883 -t sensors/room1 -m 21.5 [-P grpc] [-w 5000] [-3]
 *
 * MQTT 5 (the default): each call is one request/response: PUBLISH the serialized request to
 * {prefix}/robustmq.gateway.v1.RobustMQGateway/{Method} with a Response Topic and Correlation
 * Data; the reply carries the same Correlation Data, user property grpc-status (0 = OK) and,
 * when OK, the serialized response.
 *
 * MQTT 3.1.1 (-3), for stacks without properties (docs/protocol.md §14): PUBLISH the same request
 * to {prefix}/_311/req/{client id}/{request id}/-/{prefix}/robustmq.gateway.v1.RobustMQGateway/{Method}
 * and take the reply from {prefix}/_311/res/{client id}/{request id}/{status}: the serialized
 * response when the status is 0, else the error text.
 *
 * Prints "sent msg_id=…", "received msg_id=… delivery_count=… payload=…", "acked msg_id=…";
 * exits 0 on success, 1 on any failure (with the reason on stderr), 2 on bad arguments.
 */
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG 65536
#define SERVICE "robustmq.gateway.v1.RobustMQGateway"

/* ---- protobuf, by hand: just the wire types this API uses ---- */

typedef struct {
  uint8_t data[MAX_MSG];
  size_t len;
} buf_t;

static int put_varint(buf_t *b, uint64_t v) {
  do {
    if (b->len >= sizeof b->data) return -1;
    uint8_t byte = v & 0x7f;
    v >>= 7;
    b->data[b->len++] = byte | (v ? 0x80 : 0);
  } while (v);
  return 0;
}

/* Field of wire type 2 (string, bytes, embedded message). */
static int put_bytes(buf_t *b, int field, const void *p, size_t n) {
  if (put_varint(b, ((uint64_t)field << 3) | 2) || put_varint(b, n) || b->len + n > sizeof b->data) return -1;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

/* Field of wire type 0 (uint32, int64, ...). */
static int put_uint(buf_t *b, int field, uint64_t v) {
  return put_varint(b, ((uint64_t)field << 3) | 0) || put_varint(b, v);
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  *v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    uint8_t byte = *(*p)++;
    *v |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return 0;
  }
  return -1;
}

/* One field of a message: number, wire type, and its value (varint or byte range). */
typedef struct {
  int field;
  int wire;
  uint64_t value;
  const uint8_t *bytes;
  size_t len;
} pb_field;

/* Reads the next field at *p; returns 1 when one was read, 0 at the end, -1 on malformed input. */
static int next_field(const uint8_t **p, const uint8_t *end, pb_field *f) {
  uint64_t key;
  if (*p >= end) return 0;
  if (get_varint(p, end, &key)) return -1;
  f->field = (int)(key >> 3);
  f->wire = (int)(key & 7);
  switch (f->wire) {
    case 0: return get_varint(p, end, &f->value) ? -1 : 1;
    case 1: if (end - *p < 8) return -1; *p += 8; return 1;
    case 5: if (end - *p < 4) return -1; *p += 4; return 1;
    case 2:
      if (get_varint(p, end, &f->value) || f->value > (uint64_t)(end - *p)) return -1;
      f->bytes = *p;
      f->len = (size_t)f->value;
      *p += f->len;
      return 1;
    default: return -1;
  }
}

/* ---- MQTT 5 request/response ---- */

static struct {
  int v311;                /* -3: the MQTT 3.1.1 binding */
  char client_id[64];
  char reply_topic[128];   /* MQTT 5: the Response Topic; 3.1.1: the filter of every reply */
  char request_id[32];     /* 3.1.1: this call's id, unique across restarts */
  uint8_t correlation[8];
  int subscribed;
  int answered;
  int status;
  char status_message[512];
  buf_t response;
} call;

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int qos_count, const int *granted) {
  (void)m; (void)obj; (void)mid;
  call.subscribed = qos_count > 0 && granted[0] < 128 ? 1 : -1;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props) {
  (void)m; (void)obj;
  void *corr = NULL;
  uint16_t corr_len = 0;
  if (!mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &corr, &corr_len, false)) return;
  int ours = corr_len == sizeof call.correlation && memcmp(corr, call.correlation, corr_len) == 0;
  free(corr);
  if (!ours || call.answered) return; /* a late or duplicate reply of an earlier call */

  call.status = -1;
  call.status_message[0] = '\0';
  char *name = NULL, *value = NULL;
  const mosquitto_property *p = mosquitto_property_read_string_pair(props, MQTT_PROP_USER_PROPERTY, &name, &value, false);
  while (p) {
    if (strcmp(name, "grpc-status") == 0) call.status = atoi(value);
    if (strcmp(name, "grpc-message") == 0) snprintf(call.status_message, sizeof call.status_message, "%s", value);
    free(name);
    free(value);
    p = mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY, &name, &value, true);
  }
  call.response.len = 0;
  if (msg->payloadlen > 0 && (size_t)msg->payloadlen <= sizeof call.response.data) {
    memcpy(call.response.data, msg->payload, (size_t)msg->payloadlen);
    call.response.len = (size_t)msg->payloadlen;
  }
  call.answered = 1;
}

/* MQTT 3.1.1: the call is the request id in the topic, the status its last level. */
static void on_message_311(struct mosquitto *m, void *obj, const struct mosquitto_message *msg) {
  (void)m; (void)obj;
  const char *status = strrchr(msg->topic, '/');
  if (!status || status == msg->topic) return;
  const char *id_end = status, *id = status - 1;
  while (id > msg->topic && *id != '/') id--;
  id++;
  size_t id_len = (size_t)(id_end - id);
  if (id_len != strlen(call.request_id) || strncmp(id, call.request_id, id_len) != 0 || call.answered) {
    return; /* a late or duplicate reply of an earlier call */
  }
  call.status = atoi(status + 1);
  call.status_message[0] = '\0';
  call.response.len = 0;
  if (call.status != 0) {
    int n = msg->payloadlen < (int)sizeof call.status_message - 1 ? msg->payloadlen : (int)sizeof call.status_message - 1;
    memcpy(call.status_message, msg->payload, (size_t)(n > 0 ? n : 0));
    call.status_message[n > 0 ? n : 0] = '\0';
  } else if (msg->payloadlen > 0 && (size_t)msg->payloadlen <= sizeof call.response.data) {
    memcpy(call.response.data, msg->payload, (size_t)msg->payloadlen);
    call.response.len = (size_t)msg->payloadlen;
  }
  call.answered = 1;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the network loop until *flag is set or the timeout passes. */
static int wait_for(struct mosquitto *m, int *flag, double timeout_s) {
  double deadline = now_seconds() + timeout_s;
  while (!*flag && now_seconds() < deadline) {
    int rc = mosquitto_loop(m, 100, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      fprintf(stderr, "MQTT connection lost: %s\n", mosquitto_strerror(rc));
      return -1;
    }
  }
  return *flag ? 0 : -1;
}

/* One unary call; on success the response is in call.response. */
static int rpc(struct mosquitto *m, const char *prefix, const char *method, const buf_t *request, double timeout_s) {
  static unsigned calls;
  static unsigned boot;
  char topic[384];
  int rc;
  call.answered = 0;
  if (call.v311) {
    /* The request id must not repeat within a server's reply cache (a minute or more), even
     * across a reboot: a random part per run and a counter. */
    if (!boot) boot = (unsigned)rand() | 1u;
    snprintf(call.request_id, sizeof call.request_id, "%08x.%u", boot, ++calls);
    snprintf(topic, sizeof topic, "%s/_311/req/%s/%s/-/%s/%s/%s", prefix, call.client_id, call.request_id,
             prefix, SERVICE, method);
    rc = mosquitto_publish(m, NULL, topic, (int)request->len, request->data, 1, false);
  } else {
    snprintf(topic, sizeof topic, "%s/%s/%s", prefix, SERVICE, method);
    for (size_t i = 0; i < sizeof call.correlation; i++) call.correlation[i] = (uint8_t)rand();
    mosquitto_property *props = NULL;
    mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, call.reply_topic);
    mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, call.correlation, sizeof call.correlation);
    rc = mosquitto_publish_v5(m, NULL, topic, (int)request->len, request->data, 1, false, props);
    mosquitto_property_free_all(&props);
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    fprintf(stderr, "%s: publish failed: %s\n", method, mosquitto_strerror(rc));
    return -1;
  }
  if (wait_for(m, &call.answered, timeout_s)) {
    fprintf(stderr, "%s: no reply within %.0f s\n", method, timeout_s);
    return -1;
  }
  if (call.status != 0) {
    fprintf(stderr, "%s failed: grpc-status %d: %s\n", method, call.status, call.status_message);
    return -1;
  }
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: gateway_device -h HOST -p PORT -t TOPIC -m PAYLOAD [-P RPC_PREFIX] [-w MAX_WAIT_MS] [-3]\n");
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *topic = NULL, *payload = NULL, *prefix = "grpc";
  int port = 1883, max_wait_ms = 5000, opt;
  while ((opt = getopt(argc, argv, "h:p:t:m:P:w:3")) != -1) {
    switch (opt) {
      case 'h': host = optarg; break;
      case 'p': port = atoi(optarg); break;
      case 't': topic = optarg; break;
      case 'm': payload = optarg; break;
      case 'P': prefix = optarg; break;
      case 'w': max_wait_ms = atoi(optarg); break;
      case '3': call.v311 = 1; break;
      default: usage(); return 2;
    }
  }
  if (!topic || !payload || port <= 0) {
    usage();
    return 2;
  }
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  const char *client_id = call.client_id;
  snprintf(call.client_id, sizeof call.client_id, "gateway-device-%d", (int)getpid());
  if (call.v311) {
    /* The client id is the reply reference, so an ACL (%c) can keep the replies to this device. */
    snprintf(call.reply_topic, sizeof call.reply_topic, "%s/_311/res/%s/#", prefix, client_id);
  } else {
    snprintf(call.reply_topic, sizeof call.reply_topic, "devices/%s/reply", client_id);
  }

  mosquitto_lib_init();
  struct mosquitto *m = mosquitto_new(client_id, true, NULL);
  if (!m) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, call.v311 ? MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5);
  mosquitto_subscribe_callback_set(m, on_subscribe);
  if (call.v311) {
    mosquitto_message_callback_set(m, on_message_311);
  } else {
    mosquitto_message_v5_callback_set(m, on_message);
  }
  int rc = call.v311 ? mosquitto_connect(m, host, port, 30) : mosquitto_connect_bind_v5(m, host, port, 30, NULL, NULL);
  if (rc != MOSQ_ERR_SUCCESS) {
    fprintf(stderr, "cannot connect to %s:%d: %s\n", host, port, mosquitto_strerror(rc));
    return 1;
  }
  if (mosquitto_subscribe(m, NULL, call.reply_topic, 1) != MOSQ_ERR_SUCCESS
      || wait_for(m, &call.subscribed, 10) || call.subscribed < 0) {
    fprintf(stderr, "cannot subscribe to %s\n", call.reply_topic);
    return 1;
  }

  int status = 1;
  buf_t req;
  char msg_id[64] = "";

  /* Send: SendRequest { topic = 1; payload = 2 } -> SendResponse { msg_id = 1 } */
  req.len = 0;
  put_bytes(&req, 1, topic, strlen(topic));
  put_bytes(&req, 2, payload, strlen(payload));
  if (rpc(m, prefix, "Send", &req, 10)) goto done;
  const uint8_t *p = call.response.data, *end = p + call.response.len;
  pb_field f;
  while (next_field(&p, end, &f) == 1) {
    if (f.field == 1 && f.wire == 2 && f.len < sizeof msg_id) {
      memcpy(msg_id, f.bytes, f.len);
      msg_id[f.len] = '\0';
    }
  }
  printf("sent msg_id=%s\n", msg_id);

  /* Receive: ReceiveRequest { topic = 1; limit = 2; max_wait_ms = 3 } -> ReceiveResponse { repeated Message messages = 1 } */
  req.len = 0;
  put_bytes(&req, 1, topic, strlen(topic));
  put_uint(&req, 2, 1);
  put_uint(&req, 3, (uint64_t)max_wait_ms);
  if (rpc(m, prefix, "Receive", &req, max_wait_ms / 1000.0 + 10)) goto done;
  char got_id[64] = "", got_payload[1024] = "";
  uint64_t delivery_count = 0;
  int found = 0;
  p = call.response.data;
  end = p + call.response.len;
  while (next_field(&p, end, &f) == 1) {
    if (f.field != 1 || f.wire != 2 || found) continue;
    found = 1; /* Message { msg_id = 1; topic = 2; payload = 3; timestamp_ms = 4; headers = 5; delivery_count = 6 } */
    const uint8_t *q = f.bytes, *qend = f.bytes + f.len;
    pb_field g;
    while (next_field(&q, qend, &g) == 1) {
      if (g.field == 1 && g.wire == 2 && g.len < sizeof got_id) { memcpy(got_id, g.bytes, g.len); got_id[g.len] = '\0'; }
      if (g.field == 3 && g.wire == 2 && g.len < sizeof got_payload) { memcpy(got_payload, g.bytes, g.len); got_payload[g.len] = '\0'; }
      if (g.field == 6 && g.wire == 0) delivery_count = g.value;
    }
  }
  if (!found) {
    fprintf(stderr, "Receive: no message on %s within %d ms\n", topic, max_wait_ms);
    goto done;
  }
  printf("received msg_id=%s delivery_count=%llu payload=%s\n", got_id, (unsigned long long)delivery_count, got_payload);

  /* Ack: AckRequest { topic = 1; msg_id = 2 } -> AckResponse {} */
  req.len = 0;
  put_bytes(&req, 1, topic, strlen(topic));
  put_bytes(&req, 2, got_id, strlen(got_id));
  if (rpc(m, prefix, "Ack", &req, 10)) goto done;
  printf("acked msg_id=%s\n", got_id);
  status = 0;

done:
  fflush(stdout);
  mosquitto_disconnect(m);
  mosquitto_destroy(m);
  mosquitto_lib_cleanup();
  return status;
}
