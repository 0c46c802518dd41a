// Sequential unary calls; prints the median and 90th percentile round trip in milliseconds.
//   TARGET=127.0.0.1:50051 CALLS=300 node latency.js
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const demo = grpc.loadPackageDefinition(protoLoader.loadSync('greeter.proto')).demo.v1;

const client = new demo.Greeter(process.env.TARGET || '127.0.0.1:50051', grpc.credentials.createInsecure());
const calls = Number(process.env.CALLS || 300);
const sayHello = () => new Promise((resolve, reject) =>
  client.SayHello({ name: 'bench' }, { deadline: Date.now() + 5000 }, (err) => (err ? reject(err) : resolve())));

(async () => {
  for (let i = 0; i < 20; i++) await sayHello(); // warm-up
  const times = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await sayHello();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.floor(p * (times.length - 1))].toFixed(2);
  console.log(`${calls} calls to ${process.env.TARGET}: p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms`);
  client.close();
})();
