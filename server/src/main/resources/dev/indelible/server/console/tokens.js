// Tokens: the list, create (the secret shown once, with a copy button) and revoke.
import { api, $, el, row } from './api.js';

let onError = null;

export function init(failed) {
  onError = failed;
  $('tk-form').addEventListener('submit', create);
  $('tk-copy').addEventListener('click', copy);
}

export function enter() {
  $('tk-created').hidden = true;
  $('tk-secret').value = '';
  load();
}

function load() {
  api('GET', 'tokens').then((answer) => {
    $('tk-rows').replaceChildren(...answer.tokens.map((t) => {
      let action = '';
      if (!t.revoked_at) {
        action = el('button', 'Revoke', { type: 'button', class: 'quiet', 'aria-label': 'revoke ' + t.name });
        action.addEventListener('click', () => revoke(t.name));
      }
      const tr = row([t.name, t.id, t.streams.join(', '), t.verbs.join(', '), t.created_at,
        t.revoked_at ? 'revoked ' + t.revoked_at : 'valid', action]);
      tr.dataset.token = t.name;
      if (t.revoked_at) tr.classList.add('revoked');
      return tr;
    }));
  }, onError);
}

async function create(e) {
  e.preventDefault();
  const verbs = [...document.querySelectorAll('input[name=verb]:checked')].map((c) => c.value);
  const streams = $('tk-streams').value.split(',').map((s) => s.trim()).filter((s) => s);
  try {
    const created = await api('POST', 'tokens', { name: $('tk-name').value.trim(), streams, verbs });
    $('tk-error').textContent = '';
    $('tk-form').reset();
    $('tk-secret').value = created.secret;
    $('tk-copied').textContent = '';
    $('tk-created').hidden = false;
    $('tk-secret').focus();
    $('tk-secret').select();
    load();
  } catch (error) {
    if (error.status === 401) onError(error); else $('tk-error').textContent = error.message;
  }
}

async function revoke(name) {
  if (!confirm(`Revoke token ${name}? Its clients are refused from their next request.`)) return;
  try {
    await api('POST', 'tokens/' + encodeURIComponent(name) + '/revoke');
    load();
  } catch (error) {
    onError(error);
  }
}

async function copy() {
  const secret = $('tk-secret');
  try {
    await navigator.clipboard.writeText(secret.value);
  } catch (error) {
    secret.select();
    document.execCommand('copy');
  }
  $('tk-copied').textContent = 'copied';
}
