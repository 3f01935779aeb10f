// Soak: one producer appends COUNT selfies (derived event ids) from WORKERS async workers at about
// RATE events/s; meant to have the server stopped, killed and started again under it (PythonClientTest
// runs it beside the Python soak). Prints "progress acked=N" as it goes, then one summary line:
//   soak: acked=20000 of 20000 failed=0 duplicates=D retries=R requests=Q order_broken=0 seconds=S
// and exits 0 only when every selfie was acknowledged, each worker's in its order.
//   INDELIBLE_URL=http://127.0.0.1:7171 INDELIBLE_TOKEN=idl_... node soak.js COUNT WORKERS RATE USER_BASE PREFIX
import { Client, domainEventId } from '../src/index.js';

const [count, workers, rate, userBase] = process.argv.slice(2, 6).map(Number);
const prefix = process.argv[6];
const { INDELIBLE_URL: url, INDELIBLE_TOKEN: token } = process.env;
if (!url || !token || !(count > 0) || !(workers > 0) || !prefix) {
  console.error('usage: INDELIBLE_URL=... INDELIBLE_TOKEN=... node soak.js COUNT WORKERS RATE USER_BASE PREFIX');
  process.exit(2);
}
// A restart takes a few seconds: give the retries a minute before an append is given up.
const client = new Client({ url, token, timeoutMs: 10_000, retry: { attempts: 100, maxMs: 60_000 } });
const producer = client.producer({ lingerMs: 5, maxBatch: 1000 });
const perWorker = Math.floor(count / workers);
const interval = rate > 0 ? (workers / rate) * 1000 : 0;
const acks = Array.from({ length: workers }, () => []);
const failures = [];
let acked = 0;
let reported = 0;
const began = performance.now();
const progress = setInterval(() => {
  if (Math.floor(acked / 1000) > Math.floor(reported / 1000)) {
    console.log(`progress acked=${acked} retries=${producer.stats.retries}`);
    reported = acked;
  }
}, 20);

await Promise.all(Array.from({ length: workers }, async (_, w) => {
  const user = userBase + 1 + w;
  const pending = [];
  for (let i = 0; i < perWorker; i++) {
    const delay = began + i * interval - performance.now();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const fileId = `${prefix}-${w}-${i}`;
    pending.push(producer.append(`selfies-user-${user}`, {
      type: 'selfie.submitted',
      eventId: domainEventId('selfie.submitted', `${user}/${fileId}`),
      data: { user_id: user, media_type: 'photo', file_id: fileId, submitted_at: '2024-05-01T12:00:00Z' },
    }).then((ack) => { acked++; acks[w][i] = ack; }, (e) => { failures.push(String(e)); }));
  }
  await Promise.all(pending);
}));
await producer.close();
clearInterval(progress);

let orderBroken = 0;
for (const worker of acks) {
  for (let i = 1; i < worker.length; i++) if (worker[i] && worker[i - 1] && worker[i].globalSeq <= worker[i - 1].globalSeq) orderBroken++;
}
const duplicates = acks.flat().filter((a) => a?.duplicate).length;
const total = perWorker * workers;
console.log(`soak: acked=${acked} of ${total} failed=${failures.length} duplicates=${duplicates} `
  + `retries=${producer.stats.retries} requests=${producer.stats.requests} order_broken=${orderBroken} `
  + `seconds=${((performance.now() - began) / 1000).toFixed(1)}`);
for (const f of failures.slice(0, 5)) console.log(`  failed: ${f}`);
process.exit(acked === total && !failures.length && !orderBroken ? 0 : 1);
