// An ordinary Node.js gRPC client: @grpc/grpc-js and @grpc/proto-loader, nothing of grpc-mqtt.
// NodeInteropTest points it at the ingress proxy; it prints one JSON line per case.
//
//   node client.js <host:port> <proto include dir>
//
// The "cancel" case prints {"case":"cancel","state":"started"} and waits for a line on stdin
// before it cancels, so the test can first check that the Java service holds the call.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const readline = require('readline');

const [address, includeDir] = process.argv.slice(2);
const definition = protoLoader.loadSync('grpcmqtt/bridge/test/v1/echo.proto', {
  includeDirs: [includeDir],
  longs: Number,
  defaults: true,
});
const echo = grpc.loadPackageDefinition(definition).grpcmqtt.bridge.test.v1;
const client = new echo.Echo(address, grpc.credentials.createInsecure());

const deadline = (ms) => ({ deadline: new Date(Date.now() + ms) });
const first = (md, key) => (md && md.get(key).length ? String(md.get(key)[0]) : null);
const report = (result) => console.log(JSON.stringify(result));
const failure = (name, err, extra = {}) => ({
  case: name,
  code: err.code,
  details: err.details,
  errorDetail: first(err.metadata, 'x-error-detail'),
  ...extra,
});

// Ends with the call's status, so trailers can be read.
function onStatus(call) {
  return new Promise((resolve) => call.on('status', resolve));
}

async function unary() {
  const md = new grpc.Metadata();
  md.set('x-client-header', 'from-node');
  let headers;
  let ended;
  const res = await new Promise((resolve, reject) => {
    const call = client.Unary({ text: 'hi', echoHeader: 'x-client-header' }, md, deadline(20000),
      (err, r) => (err ? reject(err) : resolve(r)));
    call.on('metadata', (m) => { headers = m; });
    ended = onStatus(call);
  });
  const status = await ended;
  return {
    case: 'unary',
    text: res.text,
    servedBy: first(headers, 'x-served-by'),
    trailer: first(status.metadata, 'x-call-trailer'),
  };
}

async function serverStream() {
  const call = client.ServerStream({ text: 's', count: 100 }, new grpc.Metadata(), deadline(20000));
  const indexes = [];
  call.on('data', (r) => indexes.push(r.index));
  const status = await onStatus(call);
  return { case: 'serverStream', code: status.code, indexes };
}

async function clientStream() {
  const res = await new Promise((resolve, reject) => {
    const call = client.ClientStream(new grpc.Metadata(), deadline(20000),
      (err, r) => (err ? reject(err) : resolve(r)));
    for (let i = 0; i < 10; i++) call.write({ text: 'c' + i });
    call.end();
  });
  return { case: 'clientStream', text: res.text, index: res.index };
}

async function bidi() {
  const call = client.Bidi(new grpc.Metadata(), deadline(20000));
  const texts = [];
  let pending = null;
  call.on('data', (r) => { texts.push(r.text); if (pending) pending(); });
  for (let i = 0; i < 10; i++) {
    // Ping-pong: the next request only after the previous response.
    const answered = new Promise((resolve) => { pending = resolve; });
    call.write({ text: 'b' + i });
    await answered;
  }
  call.end();
  const status = await onStatus(call);
  return { case: 'bidi', code: status.code, texts };
}

async function error() {
  try {
    await new Promise((resolve, reject) =>
      client.Unary({ text: 'no such thing', failCode: 5 }, new grpc.Metadata(), deadline(20000),
        (err, res) => (err ? reject(err) : resolve(res))));
    return { case: 'error', code: 0 };
  } catch (err) {
    return failure('error', err);
  }
}

async function deadlineCase() {
  const started = Date.now();
  try {
    await new Promise((resolve, reject) =>
      client.Unary({ text: 'slow', sleepMs: 10000 }, new grpc.Metadata(), deadline(1000),
        (err, res) => (err ? reject(err) : resolve(res))));
    return { case: 'deadline', code: 0 };
  } catch (err) {
    return failure('deadline', err, { elapsedMs: Date.now() - started });
  }
}

async function cancel(lines) {
  const call = client.Bidi(new grpc.Metadata(), deadline(30000));
  const status = onStatus(call);
  call.on('error', () => {});
  call.write({ text: 'hang-node', hang: true });
  report({ case: 'cancel', state: 'started' });
  await lines.next();
  call.cancel();
  const s = await status;
  return { case: 'cancel', code: s.code };
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  for (const run of [unary, serverStream, clientStream, bidi, error, deadlineCase]) {
    try {
      report(await run());
    } catch (err) {
      report(failure(run.name, err, { unexpected: true }));
    }
  }
  report(await cancel(lines));
  client.close();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
