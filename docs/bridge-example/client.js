// An ordinary grpc-js client: it knows nothing of MQTT either.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const demo = grpc.loadPackageDefinition(protoLoader.loadSync('greeter.proto')).demo.v1;

const target = process.env.TARGET || '127.0.0.1:50051';
const client = new demo.Greeter(target, grpc.credentials.createInsecure());
const deadline = () => ({ deadline: Date.now() + 5000 });

client.SayHello({ name: 'node' }, deadline(), (err, reply) => {
  console.log(err ? `error ${err.code}: ${err.details}` : reply.message);
  client.SayHello({ name: '' }, deadline(), (err2) => {
    console.log(`error ${err2.code}: ${err2.details}`);
    const stream = client.SayHelloStream({ name: 'node', times: 3 }, deadline());
    stream.on('data', (r) => console.log(r.message));
    stream.on('end', () => client.close());
  });
});
