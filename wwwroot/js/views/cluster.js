// Cluster: the workers this worker knows (today: itself), linking to each one's dashboard.

import { count, el, rate } from '../format.js';

export function renderCluster(view) {
  const totals = view.totals;
  document.getElementById('cluster-summary').textContent =
    `${totals.workers} worker${totals.workers === 1 ? '' : 's'} known, ${totals.reachable} reachable · `
    + `events/s ${rate(totals.eventsPerSecond)} · total lag ${totals.totalLag === null ? 'unknown' : count(totals.totalLag)}`
    + (view.complete ? '' : ' · the list may be incomplete');

  document.querySelector('#cluster-table tbody').replaceChildren(...view.workers.map((w) => el('tr', {},
    el('th', { scope: 'row' }, w.id, w.self ? el('span', { class: 'kind', text: 'this worker' }) : null),
    el('td', {}, el('a', { href: w.dashboard, text: w.url })),
    el('td', { text: w.reachable ? (w.state ?? 'unknown') : 'not reachable' }),
    el('td', { class: 'num', text: w.generation === null ? 'unknown' : count(w.generation) }),
    el('td', {}, ...partitionList(w.actives)),
    el('td', { class: 'num', text: rate(w.eventsPerSecond) }),
    el('td', { class: 'num', text: w.totalLag === null ? 'unknown' : count(w.totalLag) }))));

  document.getElementById('cluster-notes').replaceChildren(...view.notes.map((text) => el('li', { text })));
}

function partitionList(actives) {
  const entries = Object.entries(actives);
  if (entries.length === 0) return [el('span', { class: 'muted', text: 'none' })];
  return entries.map(([topic, partitions]) => el('div', {}, el('code', { text: topic }), `: ${ranges(partitions)}`));
}

function ranges(numbers) {
  const parts = [];
  for (let i = 0; i < numbers.length; i++) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    parts.push(j > i ? `${numbers[i]}–${numbers[j]}` : `${numbers[i]}`);
    i = j;
  }
  return parts.join(', ');
}
