// Cluster: every worker of the cluster view (what each published to {app}-__assignor), linking to each one's
// dashboard. State, events/s and lag are known for this worker only; the others show "see its dashboard".

import { count, el, rate } from '../format.js';

export function renderCluster(view) {
  const totals = view.totals;
  const contested = Object.values(view.contested ?? {}).reduce((n, partitions) => n + partitions.length, 0);
  document.getElementById('cluster-summary').textContent =
    `${totals.workers} worker${totals.workers === 1 ? '' : 's'} known · `
    + `this worker: events/s ${rate(totals.eventsPerSecond)}, lag ${totals.totalLag === null ? 'unknown' : count(totals.totalLag)}`
    + (contested > 0 ? ` · ${contested} partition${contested === 1 ? '' : 's'} contested (rebalancing)` : '')
    + (view.complete ? '' : ' · the list may be incomplete');

  document.querySelector('#cluster-table tbody').replaceChildren(...view.workers.map((w) => el('tr', {},
    el('th', { scope: 'row' }, w.id, w.self ? el('span', { class: 'kind', text: 'this worker' }) : null),
    el('td', {}, w.url === null ? el('span', { class: 'muted', text: 'no URL' }) : el('a', { href: w.dashboard, text: w.url })),
    el('td', { text: w.reachable === false ? 'not reachable' : w.self ? (w.state ?? 'unknown') : 'see its dashboard' }),
    el('td', { class: 'num', text: w.generation === null ? 'unknown' : count(w.generation) }),
    el('td', {}, ...partitionList(w.actives, w.contested)),
    el('td', {}, ...partitionList(w.standbys, {})),
    el('td', { class: 'num', text: w.self ? rate(w.eventsPerSecond) : '—' }),
    el('td', { class: 'num', text: !w.self ? '—' : w.totalLag === null ? 'unknown' : count(w.totalLag) }))));

  document.getElementById('cluster-notes').replaceChildren(...view.notes.map((text) => el('li', { text })));
}

function partitionList(partitionsByTopic, contested) {
  const entries = Object.entries(partitionsByTopic ?? {});
  if (entries.length === 0) return [el('span', { class: 'muted', text: 'none' })];
  return entries.map(([topic, partitions]) => {
    const claimed = (contested ?? {})[topic] ?? [];
    return el('div', {}, el('code', { text: topic }), `: ${ranges(partitions)}`,
      claimed.length > 0 ? el('span', { class: 'kind', text: `contested: ${ranges(claimed)}` }) : null);
  });
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
