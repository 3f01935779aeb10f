// Head, durability, readiness, events and syncs per second and appends by result (polled every 2 s
// while shown), the warnings.
import { api, $, el, number } from './api.js';

let timer = null;

export function enter(failed) {
  const load = () => api('GET', 'overview').then(render, (e) => { leave(); failed(e); });
  load();
  timer = setInterval(load, 2000);
}

export function leave() {
  clearInterval(timer);
  timer = null;
}

function render(o) {
  $('ov-head').textContent = number(o.head);
  $('ov-durability').textContent = o.durability;
  $('ov-ready').textContent = o.ready ? 'ready' : 'not ready';
  const rates = o.events_per_second;
  const syncs = o.syncs_per_second;
  $('ov-rate').textContent = rates.length ? number(rates[rates.length - 1]) : '-';
  $('ov-syncs').textContent = syncs.length ? number(syncs[syncs.length - 1]) : '-';
  chart(rates);
  appends(o.appends_per_second);
  const list = $('ov-warnings');
  list.replaceChildren(...(o.warnings.length ? o.warnings.map((w) => el('li', w))
    : [el('li', 'none', { class: 'none' })]));
}

/** A line over a fixed 600x120 box: 300 one-second points, scaled to max. */
function line(id, rates, max) {
  const step = 600 / 299;
  const offset = 300 - rates.length;
  const points = rates.map((r, i) => `${((offset + i) * step).toFixed(1)},${(118 - (r / max) * 114).toFixed(1)}`);
  $(id).setAttribute('points', points.join(' '));
}

/** Three lines on one scale: appends written, answered as duplicates, refused. */
function appends(a) {
  const max = Math.max(1, ...a.ok, ...a.duplicate, ...a.refused);
  line('ov-ok', a.ok, max);
  line('ov-duplicate', a.duplicate, max);
  line('ov-refused', a.refused, max);
  const sum = (xs) => xs.reduce((x, y) => x + y, 0);
  $('ov-appends-text').textContent = a.ok.length
    ? `in the last ${a.ok.length} s: ${number(sum(a.ok))} ok, ${number(sum(a.duplicate))} duplicate, `
      + `${number(sum(a.refused))} refused`
    : 'collecting: one point a second';
}

function chart(rates) {
  const max = Math.max(1, ...rates);
  line('ov-line', rates, max);
  const total = rates.reduce((a, b) => a + b, 0);
  $('ov-chart-text').textContent = rates.length
    ? `${number(total)} events in the last ${rates.length} s; peak ${number(max === 1 && total === 0 ? 0 : max)}/s`
    : 'collecting: one point a second';
}
