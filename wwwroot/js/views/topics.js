// Topics & partitions: per topic a grid of partitions with owner, offsets and a lag bar, from /api/topics.

import { count, el, known } from '../format.js';

export function renderTopics(view, selfUrl) {
  const list = document.getElementById('topics-list');
  const summary = document.getElementById('topics-summary');
  summary.textContent = known(view.totalLag)
    ? `Total consumer lag of this worker: ${count(view.totalLag)} records.`
    : 'Total consumer lag: unknown.';

  const maxLag = Math.max(1, ...view.topics.flatMap((t) => t.partitions.map((p) => p.lag ?? 0)));
  list.replaceChildren(...(view.topics.length ? view.topics.map((topic) => topicCard(topic, maxLag, selfUrl)) : [el('p', { class: 'muted', text: 'No topics are known yet.' })]));
  document.getElementById('topics-unknown').replaceChildren(...view.unknown.map((text) => el('li', { text })));
}

function topicCard(topic, maxLag, selfUrl) {
  const headingId = `topic-${topic.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const kind = topic.kind === 'changelog' ? `changelog of ${topic.table}` : topic.kind;
  return el('section', { class: 'topic', 'aria-labelledby': headingId },
    el('h3', { id: headingId }, el('code', { text: topic.name }), el('span', { class: 'kind', text: kind }),
      el('span', { class: 'muted', text: `${topic.partitionCount} partitions` })),
    el('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': headingId, tabindex: 0 },
      el('table', { class: 'grid' },
        el('caption', { class: 'sr-only', text: `Partitions of ${topic.name}` }),
        el('thead', {}, el('tr', {},
          ...['Partition', 'Active owner', 'Standbys'].map((h) => el('th', { scope: 'col', text: h })),
          ...['Received', 'Sent', 'Committed', 'End offset'].map((h) => el('th', { scope: 'col', class: 'num', text: h })),
          el('th', { scope: 'col', text: 'Lag' }))),
        el('tbody', {}, ...topic.partitions.map((p) => partitionRow(topic, p, maxLag, selfUrl))))));
}

function partitionRow(topic, p, maxLag, selfUrl) {
  const owner = p.active
    ? el('span', { class: p.active === selfUrl ? 'owner-self' : '' }, p.active === selfUrl ? 'this worker' : p.active)
    : el('span', { class: 'muted', text: topic.kind === 'source' || topic.kind === 'changelog' ? 'unknown' : 'not consumed here' });
  const lag = known(p.lag)
    ? el('td', { class: 'lag-cell' },
      el('span', { class: 'lagbar', 'aria-hidden': 'true' }, el('span', { style: `width:${Math.round((100 * p.lag) / maxLag)}%` })),
      count(p.lag),
      known(p.stalledSeconds)
        ? el('span', { class: 'stalled', title: 'Events wait and the committed offset has not moved for longer than Faust:CommitLivelockSoftTimeout',
          text: `no commit for ${count(Math.round(p.stalledSeconds))} s` })
        : null)
    : el('td', { class: 'lag-cell muted', text: topic.kind === 'source' ? 'unknown' : '—' });
  return el('tr', {},
    el('th', { scope: 'row', text: String(p.partition) }),
    el('td', {}, owner),
    el('td', { class: 'muted', text: p.standbys.length ? p.standbys.join(', ') : 'none' }),
    el('td', { class: 'num', text: count(p.received) }),
    el('td', { class: 'num', text: count(p.sent) }),
    el('td', { class: 'num', text: known(p.committedOffset) ? count(p.committedOffset) : '—' }),
    el('td', { class: 'num', text: known(p.endOffset) ? count(p.endOffset) : 'unknown' }),
    lag);
}
