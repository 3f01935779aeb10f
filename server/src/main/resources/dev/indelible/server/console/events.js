// Events by stream prefix, type or global_seq, a page at a time; one event as JSON; its stream's history.
import { api, $, el, row, number } from './api.js';

let next = null;
let selected = null;
let latest = 0; // only the newest request's answer is shown, whatever order answers come in
let onError = null;

export function init(failed) {
  onError = failed;
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
  $('ev-history').addEventListener('click', () => selected && history(selected.stream));
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
  const mine = ++latest;
  api('GET', 'events?' + query(from)).then((page) => {
    if (mine !== latest) return;
    next = page.next;
    $('ev-summary').textContent = `${page.events.length} events from ${number(page.from)}; next page from `
      + `${number(page.next)}; head ${number(page.head)}`;
    show(page.events);
  }, onError);
}

function history(stream) {
  const mine = ++latest;
  api('GET', 'streams/' + encodeURIComponent(stream) + '?limit=100').then((page) => {
    if (mine !== latest) return;
    $('ev-summary').textContent = `stream ${stream}: ${page.events.length} events from version 0`;
    show(page.events);
  }, onError);
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
