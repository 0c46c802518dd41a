// An ordinary grpc-js server: it knows nothing of MQTT.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const demo = grpc.loadPackageDefinition(protoLoader.loadSync('greeter.proto')).demo.v1;

const server = new grpc.Server();
server.addService(demo.Greeter.service, {
  SayHello: (call, callback) => {
    if (!call.request.name) {
      return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'name is required' });
    }
    callback(null, { message: `Hello ${call.request.name}` });
  },
  SayHelloStream: (call) => {
    for (let i = 1; i <= call.request.times; i++) {
      call.write({ message: `Hello ${call.request.name} #${i}` });
    }
    call.end();
  },
});
const port = process.env.PORT || '50052';
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), () => {
  console.log(`Greeter listening on 127.0.0.1:${port}`);
});
