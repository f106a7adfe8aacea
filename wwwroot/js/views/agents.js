// Agents: one row per agent from /api/agents.

import { count, el, ms, rate, time } from '../format.js';

export function renderAgents(agents) {
  const body = document.querySelector('#agents-table tbody');
  if (agents.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 9, class: 'muted', text: 'This app declares no agents.' })));
    return;
  }

  body.replaceChildren(...agents.map((a) => el('tr', { 'data-agent': a.name },
    el('th', { scope: 'row', text: a.name }),
    el('td', {}, `${a.source} `, el('span', { class: 'kind', text: a.sourceKind })),
    el('td', { class: 'num', title: `${count(a.actors)} actors have run`, text: a.isolatedPartitions ? 'per partition' : count(a.concurrency) }),
    el('td', { class: 'num processed', text: count(a.processed) }),
    el('td', { class: 'num', text: rate(a.eventsPerSecond) }),
    el('td', { class: 'num', title: `all time: ${ms(a.meanMsTotal)} ms`, text: a.meanMs === null ? '–' : ms(a.meanMs) }),
    el('td', { class: 'num', title: `all time: ${ms(a.p99MsTotal)} ms`, text: a.p99Ms === null ? '–' : ms(a.p99Ms) }),
    el('td', { class: 'num', title: `${count(a.crashes)} crashes, ${count(a.skipped)} undecodable records`, text: count(a.errors) }),
    el('td', {}, a.lastError
      ? el('span', { title: a.lastError.message }, el('time', { datetime: a.lastError.time, text: time(a.lastError.time) }),
        ` ${a.lastError.kind}: ${a.lastError.type}: ${a.lastError.message}`)
      : el('span', { class: 'muted', text: 'none' })),
  )));
}
