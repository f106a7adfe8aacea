// The dashboard's entry point: hash navigation between the five views, the live Server-Sent Events stream, and
// refreshing the visible view. When something fails it says what and keeps showing the last known data: a lost
// stream falls back to polling, a failed view keeps its previous content under a banner.

import { getJson } from './api.js';
import { time } from './format.js';
import { renderAgents } from './views/agents.js';
import { renderCluster } from './views/cluster.js';
import { applyUpdate, initOverview, renderOverview } from './views/overview.js';
import { initTables, renderTables } from './views/tables.js';
import { renderTopics } from './views/topics.js';

const VIEWS = ['overview', 'agents', 'topics', 'tables', 'cluster'];
const REFRESH_MS = { overview: 5000, agents: 2000, topics: 2000, tables: 3000, cluster: 5000 };
const POLL_MS = 2000;

const state = {
  view: 'overview',
  selfUrl: null,
  lastRefresh: {},
  lastOk: {},
  errors: {},
  inFlight: {},
  pollTimer: null,
  source: null,
};

const loaders = {
  overview: async () => {
    const { body } = await getJson('api/overview');
    state.selfUrl = body.worker.url;
    renderOverview(body);
  },
  agents: async () => renderAgents((await getJson('api/agents')).body),
  topics: async () => renderTopics((await getJson('api/topics')).body, state.selfUrl),
  tables: async () => renderTables((await getJson('api/tables')).body),
  cluster: async () => renderCluster((await getJson('api/cluster')).body),
};

function currentView() {
  const name = location.hash.replace(/^#/, '');
  return VIEWS.includes(name) ? name : 'overview';
}

function show(view, moveFocus) {
  state.view = view;
  for (const section of document.querySelectorAll('section.view')) {
    section.hidden = section.dataset.view !== view;
  }
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  showBanner();
  if (moveFocus) document.getElementById(`h-${view}`)?.focus?.();
  refresh(view);
}

async function refresh(view) {
  if (state.inFlight[view]) return;
  state.inFlight[view] = true;
  state.lastRefresh[view] = Date.now();
  try {
    await loaders[view]();
    state.lastOk[view] = new Date();
    delete state.errors[view];
  } catch (error) {
    state.errors[view] = error.message;
  } finally {
    state.inFlight[view] = false;
    showBanner();
  }
}

function showBanner() {
  const banner = document.getElementById('banner');
  const error = state.errors[state.view];
  banner.hidden = !error;
  if (error) {
    const since = state.lastOk[state.view];
    banner.textContent = `Could not load this view: ${error}. `
      + (since ? `Showing what was known at ${time(since.toISOString())}; retrying.` : 'Nothing is known yet; retrying.');
  }
}

function setLive(mode, text) {
  const live = document.getElementById('live');
  live.dataset.live = mode;
  if (live.textContent !== text) live.textContent = text;
}

// Called on every stream update (or poll): keeps the visible view fresh without hammering the server.
function tick() {
  const view = state.view;
  if (Date.now() - (state.lastRefresh[view] ?? 0) >= REFRESH_MS[view]) refresh(view);
}

function connect() {
  if (!('EventSource' in window)) {
    startPolling('Live updates are not supported by this browser; polling every 2 s.');
    return;
  }

  const source = new EventSource('api/stream');
  state.source = source;
  source.addEventListener('update', (event) => {
    stopPolling();
    const update = JSON.parse(event.data);
    applyUpdate(update);
    setLive('live', `Live · ${time(update.time)}`);
    tick();
  });
  source.addEventListener('open', () => setLive('live', 'Live'));
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      startPolling('The live stream closed; polling every 2 s.');
    } else {
      setLive('connecting', 'Reconnecting… showing the last known numbers');
    }
  });
}

function startPolling(reason) {
  setLive('offline', reason);
  if (state.pollTimer) return;
  state.pollTimer = setInterval(async () => {
    await refresh('overview');
    if (state.view !== 'overview') tick();
    if (state.errors.overview) setLive('offline', `The server is not answering (${state.errors.overview}); showing the last known numbers.`);
  }, POLL_MS);
}

function stopPolling() {
  if (state.pollTimer) {
    clearInterval(state.pollTimer);
    state.pollTimer = null;
  }
}

async function main() {
  initTables();
  window.addEventListener('hashchange', () => show(currentView(), true));
  await initOverview();
  await refresh('overview');
  show(currentView(), false);
  connect();
}

main();
