// Each projection's state, version, checkpoint, lag, events applied and count: read-only.
import { api, $, row, number } from './api.js';

export function enter(failed) {
  api('GET', 'overview').then((o) => {
    $('pj-rows').replaceChildren(...o.projections.map((p) => row([p.name, p.state, p.live_version,
      number(p.checkpoint), number(p.lag), number(p.events_applied), p.count === undefined ? '' : number(p.count)])));
    if (!o.projections.length) $('pj-rows').replaceChildren(row(['no projections run on this server']));
  }, failed);
}
