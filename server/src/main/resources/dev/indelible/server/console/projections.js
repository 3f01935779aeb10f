// Each projection's state and figures; for one: its versions, quarantine and history, a rebuild
// with a live progress bar and both digests, and a roll back after a confirmation.
import { api, stream, $, el, row, number } from './api.js';

let onError = null;
let selected = null;
let busy = false;

export function init(report) {
  onError = report;
  $('pj-rebuild').addEventListener('click', rebuild);
  $('pj-rollback').addEventListener('click', () => {
    $('pj-confirm').hidden = false;
    $('pj-confirm-yes').focus();
  });
  $('pj-confirm-no').addEventListener('click', () => {
    $('pj-confirm').hidden = true;
    $('pj-rollback').focus();
  });
  $('pj-confirm-yes').addEventListener('click', rollback);
}

export function enter(failed) {
  api('GET', 'overview').then((o) => {
    $('pj-rows').replaceChildren(...o.projections.map((p) => {
      const open = el('button', p.name, { type: 'button', class: 'quiet', 'aria-label': 'Open projection ' + p.name });
      open.addEventListener('click', () => select(p.name));
      return row([open, p.state, p.live_version, number(p.checkpoint), number(p.lag), number(p.events_applied),
        p.count === undefined ? '' : number(p.count)]);
    }));
    if (!o.projections.length) $('pj-rows').replaceChildren(row(['no projections run on this server']));
  }, failed);
  if (selected) select(selected);
}

function failed(error) {
  if (error.status === 401) onError(error); else $('pj-error').textContent = error.message;
}

async function select(name) {
  selected = name;
  $('pj-detail').hidden = false;
  $('pj-name').textContent = name;
  $('pj-confirm').hidden = true;
  try {
    render(await api('GET', 'projections/' + encodeURIComponent(name)));
  } catch (error) {
    failed(error);
  }
}

function render(v) {
  $('pj-versions').replaceChildren(...v.versions.map((x) => row([x.name, x.live ? 'live' : '', x.build.toLowerCase(),
    x.checkpoint < 0 ? '' : number(x.checkpoint), x.applied < 0 ? '' : number(x.applied)])));
  const target = v.versions.find((x) => !x.live && x.build === 'COMPLETE');
  $('pj-rollback').disabled = busy || !target;
  $('pj-confirm-text').textContent = target
    ? `Make ${target.name} live again in place of ${v.live}? Queries switch once it has caught up.` : '';
  $('pj-quarantine').replaceChildren(...(v.quarantined.length
    ? v.quarantined.map((q) => row([q.name, number(q.files), number(q.bytes)]))
    : [row(['empty: no version was ever found damaged'])]));
  $('pj-history').replaceChildren(...(v.history.length ? v.history.map((e) => el('li',
    `${e.recorded_at || ''} ${e.type}: ${figures(e)}`)) : [el('li', 'none yet')]));
}

function figures(e) {
  const f = e.data && e.data.figures ? e.data.figures : {};
  return Object.entries(f).map(([k, val]) => `${k}=${val}`).join(' ');
}

async function rebuild() {
  const name = selected;
  busy = true;
  $('pj-rebuild').disabled = true;
  $('pj-rollback').disabled = true;
  $('pj-error').textContent = '';
  $('pj-digests').hidden = true;
  $('pj-bar').value = 0;
  $('pj-bar-text').textContent = 'starting';
  try {
    await stream('projections/' + encodeURIComponent(name) + '/rebuild', (event, data) => {
      if (event === 'progress') {
        $('pj-bar').max = Math.max(1, data.of);
        $('pj-bar').value = Math.min(data.position, data.of);
        $('pj-bar-text').textContent = `${Math.floor(100 * Math.min(data.position, data.of) / Math.max(1, data.of))}%:`
          + ` ${number(data.position)} of ${number(data.of)} events`;
      } else if (event === 'result') {
        $('pj-bar').max = 1;
        $('pj-bar').value = 1;
        $('pj-bar-text').textContent = `100%: ${number(data.events)} events in ${number(data.took_ms)} ms`;
        $('pj-previous').textContent = `${data.previous_version || 'none'} ${data.previous_digest || ''}`;
        $('pj-new').textContent = `${data.new_version} ${data.new_digest}`;
        $('pj-same').textContent = data.previous_digest === data.new_digest
          ? 'The digests are equal: the rebuild is deterministic.'
          : 'The digests differ: the journal grew during the rebuild, or the projection\'s code changed.';
        $('pj-digests').hidden = false;
      } else if (event === 'error') {
        $('pj-error').textContent = data.message;
      }
    });
  } catch (error) {
    failed(error);
  } finally {
    busy = false;
    $('pj-rebuild').disabled = false;
    select(name);
  }
}

async function rollback() {
  $('pj-confirm').hidden = true;
  $('pj-error').textContent = '';
  try {
    const r = await api('POST', 'projections/' + encodeURIComponent(selected) + '/rollback');
    $('pj-bar-text').textContent = `Rolled back: ${r.to_version} is live (was ${r.from_version}).`;
  } catch (error) {
    failed(error);
  }
  select(selected);
}
