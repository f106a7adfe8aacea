// Overview: who this worker is, what it does now (rates, totals, lag, errors) and the last 5 minutes as charts.
// The full view comes from /api/overview; between fetches the Server-Sent Events updates keep it moving.

import { RateChart } from '../charts.js';
import { count, duration, el, known, ms, rate, setText, time } from '../format.js';

let eventsChart = null;
let sendsChart = null;

export async function initOverview() {
  eventsChart = new RateChart(document.getElementById('chart-events'), { label: 'Events per second', colorVar: '--chart-events' });
  sendsChart = new RateChart(document.getElementById('chart-sends'), { label: 'Sends per second', colorVar: '--chart-sends' });
  await Promise.all([eventsChart.init(), sendsChart.init()]);
}

export function renderOverview(view) {
  const worker = view.worker;
  setText('worker-id', worker.id);
  const url = document.getElementById('worker-url');
  url.replaceChildren(el('a', { href: `${worker.url}/`, text: worker.url }));
  setText('worker-broker', `${worker.broker} · ${worker.processingGuarantee}`);
  setText('app-id', worker.app);
  document.title = `${worker.app} · Faust.NET`;
  applyNumbers({
    state: view.state,
    ready: view.ready,
    generation: view.generation,
    uptimeSeconds: view.uptimeSeconds,
    eventsPerSecond: view.rates.eventsPerSecond,
    receivedPerSecond: view.rates.receivedPerSecond,
    sentPerSecond: view.rates.sentPerSecond,
    eventsTotal: view.totals.events,
    totalLag: view.totalLag,
    errors: view.totals.errors,
    rebalances: view.totals.rebalances,
    fault: view.fault,
  });

  setText('commit-count', count(view.commits.count));
  setText('commit-latency', view.commits.count > 0 ? `${ms(view.commits.meanMs)} / ${ms(view.commits.lastMs)} ms` : 'no commit yet');
  setText('assign-latency', view.assignments.count > 0 ? `${ms(view.assignments.lastMs)} ms` : 'not assigned yet');
  setText('recovery-summary', view.recovery.total > 0
    ? `${view.recovery.inProgress ? 'in progress' : 'done'}: ${count(view.recovery.applied)} of ${count(view.recovery.total)} records`
    : 'nothing to recover');

  const errors = document.getElementById('recent-errors');
  errors.replaceChildren(...(view.recentErrors.length
    ? view.recentErrors.map((e) => el('li', {},
      el('time', { datetime: e.time, text: time(e.time) }),
      el('strong', { text: `${e.source}: ${e.kind}` }), ` — ${e.type}: ${e.message}`, e.where ? ` (${e.where})` : null))
    : [el('li', { class: 'muted', text: 'None.' })]));

  const unknownBox = document.getElementById('unknown-box');
  unknownBox.hidden = view.unknown.length === 0;
  document.getElementById('unknown-list').replaceChildren(...view.unknown.map((text) => el('li', { text })));

  const history = view.history;
  eventsChart?.setHistory(history.time, history.eventsPerSecond);
  sendsChart?.setHistory(history.time, history.sentPerSecond);
}

/** A Server-Sent Events update: numbers in the header and the overview, and the newest second of the charts. */
export function applyUpdate(update) {
  applyNumbers(update);
  if (update.point) {
    eventsChart?.push(update.point.time, update.point.eventsPerSecond);
    sendsChart?.push(update.point.time, update.point.sentPerSecond);
  }
}

function applyNumbers(u) {
  const badge = document.getElementById('state-badge');
  badge.dataset.state = u.state;
  badge.textContent = u.ready || u.state !== 'running' ? u.state : `${u.state} (not ready)`;
  setText('worker-state', u.ready ? u.state : `${u.state} — tables not ready`);
  setText('worker-generation', count(u.generation));
  setText('worker-uptime', duration(u.uptimeSeconds));
  setText('events-rate', rate(u.eventsPerSecond));
  setText('sent-rate', rate(u.sentPerSecond));
  setText('received-rate', rate(u.receivedPerSecond));
  setText('events-total', count(u.eventsTotal));
  setText('total-lag', known(u.totalLag) ? count(u.totalLag) : 'unknown');
  setText('errors-total', count(u.errors));
  setText('rebalances', count(u.rebalances));
  document.getElementById('errors-total').classList.toggle('bad', (u.errors ?? 0) > 0);
  const fault = document.getElementById('fault');
  fault.hidden = !u.fault;
  fault.textContent = u.fault ? `The worker is faulted: ${u.fault}` : '';
}
