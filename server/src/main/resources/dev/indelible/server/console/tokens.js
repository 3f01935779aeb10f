// Tokens: the list, create (the secret shown once, with a copy button), revoke, and each one's audit trail.
import { api, $, el, row } from './api.js';
import { openStream } from './events.js';

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
      const action = el('span', null, { class: 'actions' });
      const history = el('button', 'History', { type: 'button', class: 'quiet', 'aria-label': 'audit trail of ' + t.name });
      history.addEventListener('click', () => openStream('ops-token-' + t.name));
      action.append(history);
      if (!t.revoked_at) {
        const revokeButton = el('button', 'Revoke', { type: 'button', class: 'quiet', 'aria-label': 'revoke ' + t.name });
        revokeButton.addEventListener('click', () => revoke(t.name));
        action.append(' ', revokeButton);
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
