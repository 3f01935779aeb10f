// One stream's events through its index, or events by stream prefix, type and global_seq a page at
// a time (a bounded scan: each page looks at 1,000 events at most); one event as JSON.
import { api, $, el, row, number } from './api.js';

let next = null;
let selected = null;
let latest = 0; // only the newest request's answer is shown, whatever order answers come in
let onError = null;

export function init(report) {
  onError = report;
  $('ev-form').addEventListener('submit', (e) => {
    e.preventDefault();
    load($('ev-from').value.trim());
  });
  $('ev-next').addEventListener('click', () => {
    if (next !== null) {
      $('ev-from').value = next;
      load(String(next));
    }
  });
  $('ev-history').addEventListener('click', () => {
    if (!selected) return;
    $('ev-stream').value = selected.stream;
    $('ev-from').value = '';
    fromWhat();
    load('');
  });
  $('ev-stream').addEventListener('input', fromWhat);
}

function fromWhat() {
  $('ev-from-what').textContent = $('ev-stream').value.trim() ? 'version' : 'global_seq';
}

/** A refused read says why where the events would be; a lost session signs out. */
function failed(error) {
  if (error.status === 401) {
    onError(error);
  } else {
    $('ev-summary').textContent = error.message;
    show([]);
  }
}

/** Shows one stream's events from version 0: e.g. a token's audit trail, ops-token-NAME. */
export function openStream(stream) {
  $('ev-stream').value = stream;
  $('ev-prefix').value = '';
  $('ev-type').value = '';
  $('ev-from').value = '';
  fromWhat();
  if (location.hash === '#events') load(''); else location.hash = '#events';
}

export function enter() {
  load($('ev-from').value.trim());
}

function query(from) {
  const p = new URLSearchParams();
  if (from) p.set('from', from);
  p.set('limit', $('ev-limit').value.trim() || '50');
  if ($('ev-prefix').value.trim()) p.set('stream_prefix', $('ev-prefix').value.trim());
  if ($('ev-type').value.trim()) p.set('type', $('ev-type').value.trim());
  return p.toString();
}

function load(from) {
  const stream = $('ev-stream').value.trim();
  if (stream) {
    history(stream, from || '0');
    return;
  }
  const mine = ++latest;
  api('GET', 'events?' + query(from)).then((page) => {
    if (mine !== latest) return;
    next = page.next;
    // Over several partitions positions are text, one global_seq per partition, with no order across them.
    $('ev-summary').textContent = typeof page.next === 'string'
      ? `${page.events.length} events from positions ${page.from} (head ${page.head}, one global_seq per partition);`
        + ` the next page goes on from ${page.next}`
      : `${page.events.length} events in global_seq ${number(page.from)} to `
        + `${number(Math.max(page.from, page.next - 1))} (head ${number(page.head)}); the next page goes on from ${number(page.next)}`;
    show(page.events);
  }, failed);
}

function history(stream, from) {
  const mine = ++latest;
  const limit = $('ev-limit').value.trim() || '50';
  api('GET', `streams/${encodeURIComponent(stream)}?from_version=${encodeURIComponent(from)}&limit=${encodeURIComponent(limit)}`)
    .then((page) => {
      if (mine !== latest) return;
      next = page.next_version;
      $('ev-summary').textContent = `stream ${stream}: ${page.events.length} events from version ${number(from)};`
        + ` next page from version ${number(page.next_version)}`;
      show(page.events);
    }, failed);
}

function show(events) {
  $('ev-rows').replaceChildren(...events.map((e) => {
    const open = el('button', number(e.global_seq), { type: 'button', class: 'quiet', 'aria-label': 'open event ' + e.global_seq });
    open.addEventListener('click', () => detail(e));
    return row([open, e.stream, e.stream_version, e.type, e.recorded_at]);
  }));
}

function detail(e) {
  selected = e;
  $('ev-detail').hidden = false;
  $('ev-detail-title').textContent = `Event ${number(e.global_seq)}: ${e.type}`;
  $('ev-json').textContent = JSON.stringify(e, null, 2);
  $('ev-json').focus();
}
