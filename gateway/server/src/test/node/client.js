// An ordinary Node.js gRPC client: @grpc/grpc-js and @grpc/proto-loader with the Gateway's own
// gateway.proto, nothing of grpc-mqtt. NodeInteropTest points it at the Gateway's --grpc-listen
// address; it prints one JSON line per case.
//
//   node client.js <host:port> <topic> <proto include dir>...
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [address, topic, ...includeDirs] = process.argv.slice(2);
const definition = protoLoader.loadSync('robustmq/gateway/v1/gateway.proto', {
  includeDirs,
  longs: Number,
  defaults: true,
});
const v1 = grpc.loadPackageDefinition(definition).robustmq.gateway.v1;
const gateway = new v1.RobustMQGateway(address, grpc.credentials.createInsecure());

const deadline = (ms) => ({ deadline: new Date(Date.now() + ms) });
const report = (result) => console.log(JSON.stringify(result));
const unary = (method, request) => new Promise((resolve, reject) =>
  gateway[method](request, new grpc.Metadata(), deadline(20000), (err, r) => (err ? reject(err) : resolve(r))));
const text = (m) => Buffer.from(m.payload).toString('utf8');

async function main() {
  const sent = await unary('Send', { topic, payload: Buffer.from('from node'), headers: { unit: 'C' } });
  report({ case: 'send', msgId: sent.msgId });

  const got = await unary('Receive', { topic, limit: 10, maxWaitMs: 5000 });
  const m = got.messages[0];
  report({ case: 'receive', count: got.messages.length, msgId: m.msgId, payload: text(m),
    unit: m.headers.unit, deliveryCount: m.deliveryCount });

  // ReceiveStream: the message was leased to Receive above; a second one arrives on the stream.
  await unary('Send', { topic, payload: Buffer.from('streamed') });
  const stream = gateway.ReceiveStream({ topic, limit: 5, visibilityTimeoutMs: 600000 });
  const first = await new Promise((resolve, reject) => {
    stream.once('data', resolve);
    stream.once('error', reject);
  });
  stream.on('error', () => {}); // the cancel below ends it with CANCELLED
  stream.cancel();
  report({ case: 'receiveStream', msgId: first.msgId, payload: text(first) });

  // Cancelling requeued what the stream held: it is visible again, delivered a second time.
  const again = await unary('Receive', { topic, limit: 10, maxWaitMs: 5000 });
  report({ case: 'requeued', msgIds: again.messages.map((x) => x.msgId),
    deliveryCounts: again.messages.map((x) => x.deliveryCount) });

  await unary('Ack', { topic, msgId: m.msgId });
  for (const x of again.messages) {
    await unary('Ack', { topic, msgId: x.msgId });
  }
  report({ case: 'ack' });

  for (const [name, method, request] of [
    ['badTopic', 'Send', { topic: 'a/#', payload: Buffer.from('x') }],
    ['ackAgain', 'Ack', { topic, msgId: m.msgId }],
  ]) {
    try {
      await unary(method, request);
      report({ case: name, unexpected: 'the call succeeded' });
    } catch (err) {
      report({ case: name, code: err.code, details: err.details });
    }
  }
}

main().then(() => gateway.close(), (err) => {
  report({ case: 'crash', unexpected: String(err && err.stack || err) });
  process.exitCode = 1;
});
