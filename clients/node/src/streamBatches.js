// The producer's path when POST /append cannot be used (a proxy that refuses chunked request
// bodies, or a server without the route): each run of appends to one stream with one expected
// version goes as one POST /streams/{stream} batch, all or nothing, with a body of known length.
// A batch is sent again exactly (same events, same ids) after a network error or 503, so one
// stored before is answered as a duplicate.
import { TooLarge } from './errors.js';

const BATCH_EVENTS = 500;
const BATCH_BYTES = 512 * 1024;

/** Sends `items` as batches in their order; settles each item with its ack or its error; counts requests in `stats`. */
export async function sendAsBatches(transport, items, settle, stats) {
  const send = { transport, settle, stats };
  for (const group of runs(items)) await sendGroup(send, group);
}

/**
 * Consecutive items of one stream without an expected version, up to the server's default limits:
 * each run is one batch. An item with an expected version is a batch of its own (a batch has one).
 */
function runs(items) {
  const groups = [];
  let bytes = 0;
  for (const item of items) {
    const last = groups.at(-1);
    const joins = last && last.length < BATCH_EVENTS && bytes + item.text.length <= BATCH_BYTES
      && last[0].line.stream === item.line.stream && last[0].line.expect === undefined && item.line.expect === undefined;
    if (joins) {
      last.push(item);
      bytes += item.text.length;
    } else {
      groups.push([item]);
      bytes = item.text.length;
    }
  }
  return groups;
}

async function sendGroup(send, group) {
  const { transport, settle, stats } = send;
  const { stream, expect } = group[0].line;
  const events = group.map(({ line }) => ({ type: line.type, data: line.data, event_id: line.event_id }));
  const path = `/streams/${encodeURIComponent(stream)}${expect === undefined ? '' : `?expected_version=${encodeURIComponent(expect)}`}`;
  // One event goes as itself, so that the server's errors name its fields as POST /append's do (`data.user_id`).
  const body = JSON.stringify(events.length === 1 ? events[0] : { events });
  let answer;
  stats.requests++;
  try {
    answer = await transport.call(path, { method: 'POST', body, contentType: 'application/json' });
  } catch (error) {
    return refused(send, group, error);
  }
  group.forEach((item, i) => settle(item, null, {
    stream: answer.stream, globalSeq: answer.first_global_seq + i, streamVersion: answer.first_stream_version + i,
    eventId: item.eventId, duplicate: answer.duplicate,
  }));
}

/** Nothing of the batch was stored: the event at fault fails, the others go again. */
async function refused(send, group, error) {
  const at = /^events\[(\d+)\]/.exec(error.field ?? '');
  const index = at ? Number(at[1]) : -1;
  if (group.length > 1 && error instanceof TooLarge) {
    const half = group.length >> 1;
    await sendGroup(send, group.slice(0, half));
    return sendGroup(send, group.slice(half));
  }
  if (group.length > 1 && index >= 0 && index < group.length) {
    error.field = error.field.replace(/^events\[\d+\]\./, ''); // as POST /append names it: the event's own field
    send.settle(group[index], error);
    return sendGroup(send, group.filter((_, i) => i !== index));
  }
  if (group.length > 1 && (error.status === 400 || error.status === 409)) { // the event at fault is not named
    for (const item of group) await sendGroup(send, [item]);
    return undefined;
  }
  for (const item of group) send.settle(item, error);
  return undefined;
}
