// Each projection's version, checkpoint, lag and events applied: read-only.
import { api, $, row, number } from './api.js';

export function enter(failed) {
  api('GET', 'overview').then((o) => {
    $('pj-rows').replaceChildren(...o.projections.map((p) => row([p.name, p.state, p.live_version,
      number(p.checkpoint), number(p.lag), number(p.events_applied)])));
    if (!o.projections.length) $('pj-rows').replaceChildren(row(['no projections run on this server']));
  }, failed);
}
