#!/usr/bin/env node
// One selfie to Indelible over gRPC with @grpc/grpc-js and @grpc/proto-loader, loaded with the
// loader's DEFAULT options (no keepCase): fields are then camelCase in JavaScript, so the event id
// is `eventId`. A snake_case `event_id` would be dropped without a word (protobufjs ignores keys it
// does not know), and every retry would store the selfie again: this checks that the id arrives.
//
//   npm ci && INDELIBLE_TOKEN=idl_... node grpc_selfies.mjs [--host 127.0.0.1] [--port 7172]
//
// Appends a selfie.submitted with an event_id, retries it (answered duplicate, same position),
// subscribes from 0 until it arrives, and asks the health service (which needs no token).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({ options: {
  host: { type: 'string', default: process.env.INDELIBLE_GRPC_HOST ?? '127.0.0.1' },
  port: { type: 'string', default: process.env.INDELIBLE_GRPC_PORT ?? '7172' },
  token: { type: 'string', default: process.env.INDELIBLE_TOKEN },
} });
if (!args.token) {
  console.error('set INDELIBLE_TOKEN or --token (indelible token create ...)');
  process.exit(2);
}

const definition = protoLoader.loadSync(['indelible/api/v1/ledger_service.proto', 'grpc_health/v1/health.proto'], {
  includeDirs: [path.join(repo, 'server/src/main/proto'), path.join(repo, 'examples/proto')],
});
const proto = grpc.loadPackageDefinition(definition);
const target = `${args.host}:${args.port}`;
const ledger = new proto.indelible.api.v1.LedgerService(target, grpc.credentials.createInsecure());
const health = new proto.grpc.health.v1.Health(target, grpc.credentials.createInsecure());
const auth = new grpc.Metadata();
auth.set('authorization', `Bearer ${args.token}`);

const call = (client, method, request, metadata = new grpc.Metadata()) => new Promise((resolve, reject) =>
  client[method](request, metadata, { deadline: Date.now() + 30_000 }, (err, answer) => (err ? reject(err) : resolve(answer))));

const userId = 1201911108;
const eventId = randomUUID();
const selfie = { user_id: userId, media_type: 'photo', file_id: `node-grpc-${eventId}`, submitted_at: new Date().toISOString() };
const request = {
  stream: `selfies-user-${userId}`,
  events: [{ type: 'selfie.submitted', eventId, contentType: 'JSON', payload: Buffer.from(JSON.stringify(selfie)) }],
};

// With the default options a uint64 comes back as a Long object, and a field at its default value
// (0, false, '') is left out: the first event's position 0 is undefined.
const seq = (value) => String(value ?? 0);
const first = await call(ledger, 'Append', request, auth);
const retry = await call(ledger, 'Append', request, auth);
const position = seq(first.firstGlobalSeq);
if (first.duplicate || !retry.duplicate || seq(retry.firstGlobalSeq) !== position) {
  throw new Error(`the retry was not answered as a duplicate at ${position}: ${JSON.stringify(retry)}`);
}

const received = await new Promise((resolve, reject) => {
  const stream = ledger.Subscribe({ fromGlobalSeq: 0 }, auth);
  const timer = setTimeout(() => { stream.cancel(); reject(new Error('the selfie did not arrive within 30 s')); }, 30_000);
  stream.on('data', (event) => {
    if (event.eventId === eventId) {
      clearTimeout(timer);
      stream.cancel();
      resolve(event);
    }
  });
  stream.on('error', (err) => { if (err.code !== grpc.status.CANCELLED) { clearTimeout(timer); reject(err); } });
});
// The payload is now the SelfieSubmitted Protobuf message (a domain type posted as JSON is stored
// as its message); proto-loader decodes only the messages of services, so only its envelope is checked.
if (received.type !== 'selfie.submitted' || received.stream !== request.stream) {
  throw new Error(`the subscribed event is not the selfie: ${JSON.stringify(received)}`);
}

// enums come back as numbers with the default options: named here from the loaded definition
const statusNames = Object.fromEntries(definition['grpc.health.v1.HealthCheckResponse'].type.enumType
  .find((e) => e.name === 'ServingStatus').value.map((v) => [v.number, v.name]));
const status = statusNames[(await call(health, 'Check', { service: '' })).status ?? 0]; // no token
ledger.close();
health.close();
console.log(`node grpc: appended ${eventId} at global_seq ${position}; retry duplicate=${retry.duplicate} at `
  + `${seq(retry.firstGlobalSeq)}; subscribe received it at ${seq(received.globalSeq)}; health ${status}`);
if (status !== 'SERVING') {
  process.exit(1);
}
