#!/usr/bin/env node
// Submit selfies to Indelible over HTTP from several concurrent workers (Node 18+, no packages).
//
//   INDELIBLE_TOKEN=idl_... node submit_selfies.mjs [--url http://127.0.0.1:7171] [--count 1000] [--workers 4]
//
// Each selfie carries its own event_id, so a retry can never store it twice.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({ options: {
  url: { type: 'string', default: process.env.INDELIBLE_URL ?? 'http://127.0.0.1:7171' },
  count: { type: 'string', default: '1000' },
  workers: { type: 'string', default: '4' },
  prefix: { type: 'string', default: 'node' },
} });
const token = process.env.INDELIBLE_TOKEN;
if (!token) {
  console.error('set INDELIBLE_TOKEN (indelible token create ...)');
  process.exit(2);
}
const count = Number(opts.count);
const workers = Number(opts.workers);

async function append(stream, event, attempts = 20) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const response = await fetch(`${opts.url}/streams/${stream}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(event),
      });
      const answer = await response.json();
      if (response.ok) return answer;
      if (response.status !== 503) {
        throw new Error(`${response.status} ${answer.error}: ${answer.field}: ${answer.message}`, { cause: 'refused' });
      }
    } catch (e) {
      if (e.cause === 'refused') throw e;
      // unreachable or restarting: retry with the same event_id
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
  }
  throw new Error(`gave up on ${event.event_id} after ${attempts} attempts`);
}

const results = [];
const failures = [];
async function worker(w) {
  for (let i = w; i < count; i += workers) {
    const userId = 8254547957 + (i % 3);
    const event = {
      event_id: randomUUID(),
      type: 'selfie.submitted',
      data: { user_id: userId, media_type: 'photo', file_id: `${opts.prefix}-${i}`, submitted_at: new Date().toISOString() },
    };
    try {
      results.push(await append(`selfies-user-${userId}`, event));
    } catch (e) {
      failures.push(e.message);
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
const duplicates = results.filter((r) => r.duplicate).length;
console.log(`node: ${results.length} of ${count} selfies acknowledged from ${workers} workers in `
  + `${((performance.now() - started) / 1000).toFixed(1)} s (${duplicates} retried duplicates, ${failures.length} failed)`);
failures.slice(0, 5).forEach((f) => console.log('  failed:', f));
process.exit(failures.length ? 1 : 0);
