// The Node side of benchmarks/clients.sh: client.producer() shared by WORKERS concurrent async
// producers, the same selfies as bench.py's producer. Prints one JSON line like bench.py.
//   node producer.mjs NAME URL TOKEN EVENTS WORKERS
import { Client, domainEventId } from '../../clients/node/src/index.js';

const [name, url, token, eventsArg, workersArg] = process.argv.slice(2);
const events = Number(eventsArg);
const workers = Number(workersArg);
const USERS_PER_WORKER = 1000;
// Python's producer blocks at max_pending = 100,000 appends; Node's has no bound, so each worker
// waits once it has this share of that in flight.
const WINDOW = Math.floor(100_000 / workers);

function selfie(worker, i, tag) {
  const user = worker * USERS_PER_WORKER + (i % USERS_PER_WORKER) + 1;
  const fileId = `${tag}-IMG_${i}.jpg`;
  return [`selfies-user-${user}`, {
    type: 'selfie.submitted',
    eventId: domainEventId('selfie.submitted', `${user}/${fileId}`),
    data: { user_id: user, media_type: 'photo', file_id: fileId, submitted_at: '2026-12-02T12:00:00Z' },
  }];
}

async function run(client, tag, count) {
  const perWorker = Math.floor(count / workers);
  const producer = client.producer({ lingerMs: 5, maxBatch: 1000 });
  let failed = 0;
  let firstError;
  const work = async (w) => {
    const chunks = []; // one promise per 1,000 appends
    let chunk = [];
    for (let i = 0; i < perWorker; i++) {
      chunk.push(producer.append(...selfie(w, i, tag)).catch((e) => { failed++; firstError ??= e; }));
      if (chunk.length === 1000) {
        chunks.push(Promise.all(chunk));
        chunk = [];
        // Yields every 1,000 appends, so the workers interleave as threads do.
        await (chunks.length * 1000 >= WINDOW ? chunks.shift() : null);
      }
    }
    await Promise.all([...chunks, ...chunk]);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, w) => work(w)));
  await producer.close();
  const seconds = (performance.now() - started) / 1000;
  if (failed) throw new Error(`${name}: ${failed} of ${perWorker * workers} appends failed, e.g. ${firstError}`);
  return { count: perWorker * workers, seconds, stats: producer.stats };
}

const client = new Client({ url, token });
await run(client, `${name}-${process.pid}-warmup`, Math.max(Math.floor(events / 10), workers));
const { count, seconds, stats } = await run(client, `${name}-${process.pid}`, events);
console.log(JSON.stringify({
  name, events: count, seconds: Number(seconds.toFixed(4)), per_second: Number((count / seconds).toFixed(1)),
  workers, requests: stats.requests, retries: stats.retries,
}));
