// Runs the journal's verification with a progress bar; the result shows damage first.
import { stream, $, row, number } from './api.js';

let onError = null;

export function init(report) {
  onError = report;
  $('vf-run').addEventListener('click', run);
}

export function enter() {
}

async function run() {
  $('vf-run').disabled = true;
  $('vf-error').textContent = '';
  $('vf-result').hidden = true;
  $('vf-bar').value = 0;
  $('vf-progress-text').textContent = 'starting';
  try {
    await stream('verify', (name, data) => {
      if (name === 'progress') {
        $('vf-bar').max = Math.max(1, data.of);
        $('vf-bar').value = data.checked;
        $('vf-progress-text').textContent = `${number(data.checked)} of ${number(data.of)} events checked`;
      } else if (name === 'result') {
        show(data);
      } else if (name === 'error') {
        $('vf-error').textContent = data.message;
      }
    });
  } catch (error) {
    if (error.status === 401) onError(error); else $('vf-error').textContent = error.message;
  } finally {
    $('vf-run').disabled = false;
  }
}

function show(r) {
  $('vf-bar').max = Math.max(1, r.events);
  $('vf-bar').value = r.events;
  $('vf-progress-text').textContent = `${number(r.events)} events checked`;
  $('vf-verdict').textContent = r.ok
    ? `Intact: ${number(r.events)} events in ${number(r.records)} records, checked in ${number(r.took_ms)} ms.`
    : `DAMAGED: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} found; ${number(r.events)} events passed.`;
  $('vf-verdict').className = r.ok ? 'verdict ok' : 'verdict bad';
  $('vf-problems-box').hidden = r.ok;
  $('vf-problems').replaceChildren(...r.problems.map((p) => row([p.kind, number(p.global_seq), p.location, p.detail])));
  $('vf-result').hidden = false;
  $('vf-verdict').focus();
}
