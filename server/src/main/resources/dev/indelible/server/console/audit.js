// The audit trail: ops.* events newest first across the ops-* streams, by stream prefix, type and
// who asked, a page at a time (Older goes on before the last one shown).
import { api, $, row, number } from './api.js';

let next = null;
let latest = 0;
let onError = null;

export function init(report) {
  onError = report;
  $('au-form').addEventListener('submit', (e) => {
    e.preventDefault();
    load(null);
  });
  $('au-older').addEventListener('click', () => {
    if (next !== null) load(next);
  });
}

export function enter() {
  load(null);
}

function query(before) {
  const p = new URLSearchParams({ limit: '50' });
  if (before !== null) p.set('before', before);
  for (const [param, id] of [['stream_prefix', 'au-prefix'], ['type', 'au-type'], ['by', 'au-by']]) {
    if ($(id).value.trim()) p.set(param, $(id).value.trim());
  }
  return p.toString();
}

// by_token and via are shown as "who"; a token's salt and salted hash (kept so nodes can replicate
// it) mean nothing to a reader.
const NOT_SHOWN = new Set(['by_token', 'via', 'salt', 'sha256']);

function load(before) {
  const mine = ++latest;
  api('GET', 'audit?' + query(before)).then((page) => {
    if (mine !== latest) return;
    next = page.next;
    $('au-older').disabled = next === null;
    $('au-summary').textContent = `${page.events.length} operations`
      + (before === null ? ', the newest first' : ` before global_seq ${number(before)}`)
      + (next === null ? '; nothing older' : `; ${number(page.examined)} looked at, Older goes on before ${number(next)}`);
    $('au-rows').replaceChildren(...page.events.map((e) => {
      const op = e.data || {};
      const figures = op.figures || {};
      const who = figures.by_token ? `token ${figures.by_token}` : `${op.user || '?'}@${op.host || '?'}`;
      const rest = Object.entries(figures).filter(([k]) => !NOT_SHOWN.has(k))
        .map(([k, v]) => `${k}=${v}`).join(' ');
      return row([e.recorded_at, e.type, e.stream, who, op.result, rest]);
    }));
  }, (error) => {
    if (mine !== latest) return;
    if (error.status === 401) onError(error); else $('au-summary').textContent = error.message;
  });
}
