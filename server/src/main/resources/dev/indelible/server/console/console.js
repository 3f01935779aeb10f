// The console's shell: sign-in, sign-out, and one page at a time by the URL's #fragment.
import { api, setCsrf, ApiError, $ } from './api.js';
import * as overview from './overview.js';
import * as events from './events.js';
import * as projections from './projections.js';
import * as tokens from './tokens.js';
import * as verify from './verify.js';
import * as audit from './audit.js';

const pages = { overview, events, projections, tokens, verify, audit };
let current = null;

function show(id) {
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'page-' + id;
}

function signedOut(message) {
  setCsrf(null);
  if (current) current.leave?.();
  current = null;
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('sign-in-error').textContent = message || '';
  show('sign-in');
  $('sign-in-token').focus();
}

function signedIn(session) {
  setCsrf(session.csrf);
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = 'signed in as ' + session.name;
  route(false);
}

/** What every page calls on a failed request: a lost session signs out, anything else is shown. */
export function failed(error) {
  if (error instanceof ApiError && error.status === 401) {
    signedOut('Your session ended: ' + error.message);
  } else {
    $('status').textContent = error.message;
  }
}

function route(moveFocus) {
  if ($('nav').hidden) return;
  const name = location.hash.slice(1) in pages ? location.hash.slice(1) : 'overview';
  if (current) current.leave?.();
  current = pages[name];
  for (const a of document.querySelectorAll('nav a')) {
    if (a.id === 'nav-' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  $('status').textContent = '';
  show(name);
  current.enter(failed);
  if (moveFocus) $('page-' + name).querySelector('h1').focus(); // a screen reader hears where it went
}

$('sign-in-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const field = $('sign-in-token');
  try {
    const session = await api('POST', 'session', { token: field.value });
    field.value = '';
    $('sign-in-error').textContent = '';
    signedIn(session);
    $('main').focus();
  } catch (error) {
    $('sign-in-error').textContent = error.message;
  }
});

$('sign-out').addEventListener('click', async () => {
  try {
    await api('DELETE', 'session');
  } catch (error) {
    // signed out either way
  }
  signedOut('Signed out.');
});

window.addEventListener('hashchange', () => route(true));
for (const page of Object.values(pages)) page.init?.(failed);

api('GET', 'session').then(signedIn, () => signedOut(''));
