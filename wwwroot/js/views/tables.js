// Tables: one card per table (changelog, local partitions, keys, operations, recovery), a key lookup that says which
// worker served it, and paged browsing of the keys this worker holds.

import { getJson } from '../api.js';
import { count, el } from '../format.js';

const PAGE = 25;
let keysState = { table: null, partition: '', offset: 0, total: 0 };
let knownTables = [];

export function initTables() {
  document.getElementById('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    lookup();
  });
  document.getElementById('keys-form').addEventListener('submit', (event) => {
    event.preventDefault();
    keysState = { ...keysState, table: document.getElementById('keys-table').value, partition: document.getElementById('keys-partition').value, offset: 0 };
    browse();
  });
  document.getElementById('keys-table').addEventListener('change', () => fillPartitions());
  document.getElementById('keys-prev').addEventListener('click', () => {
    keysState.offset = Math.max(0, keysState.offset - PAGE);
    browse();
  });
  document.getElementById('keys-next').addEventListener('click', () => {
    keysState.offset += PAGE;
    browse();
  });
}

export function renderTables(tables) {
  knownTables = tables;
  const list = document.getElementById('tables-list');
  list.replaceChildren(...(tables.length ? tables.map(tableCard) : [el('p', { class: 'muted', text: 'This app declares no tables.' })]));
  fillSelect('lookup-table', tables);
  fillSelect('keys-table', tables);
  fillPartitions();
}

function tableCard(t) {
  const headingId = `table-${t.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const recovery = t.recovery;
  return el('section', { class: 'table-card', 'aria-labelledby': headingId, 'data-table': t.name },
    el('h3', { id: headingId }, el('code', { text: t.name }), t.help ? el('span', { class: 'muted', text: ` — ${t.help}` }) : null),
    el('dl', { class: 'facts' },
      fact('Changelog', el('code', { text: t.changelogTopic })),
      fact('Local partitions', t.localPartitions.length ? `${t.localPartitions.length} of ${t.partitionCount ?? 'unknown'}` : 'none'),
      fact('Keys here', el('span', { class: 'key-count', text: count(t.keyCount) })),
      fact('Gets / sets / deletes', `${count(t.gets)} / ${count(t.sets)} / ${count(t.deletes)}`),
      fact('Missing keys', t.hasDefault ? 'read as the default' : 'not found (404)'),
      fact('Recovery', recovery.partitions.length === 0 ? 'not started'
        : recovery.inProgress ? `in progress: ${count(recovery.applied)} of ${count(recovery.total)} records` : `done (${count(recovery.total)} records replayed)`)),
    recovery.total > 0
      ? el('div', { class: 'recovery', role: 'group', 'aria-label': `Recovery of ${t.name} per partition` },
        ...recovery.partitions.map((p) => {
          const id = `${headingId}-rec-${p.partition}`;
          return el('div', {},
            el('label', { for: id, text: `Partition ${p.partition}: ${p.done ? 'done' : `${p.percent}%`} (${count(p.position - p.start)} of ${count(p.end - p.start)})` }),
            el('progress', { id, max: 100, value: p.percent }));
        }))
      : null);
}

function fact(label, value) {
  return el('div', {}, el('dt', { text: label }), el('dd', {}, value));
}

function fillSelect(id, tables) {
  const select = document.getElementById(id);
  const current = select.value;
  select.replaceChildren(...tables.map((t) => el('option', { value: t.name, text: t.name })));
  if (tables.some((t) => t.name === current)) select.value = current;
}

function fillPartitions() {
  const name = document.getElementById('keys-table').value;
  const table = knownTables.find((t) => t.name === name);
  const select = document.getElementById('keys-partition');
  const current = select.value;
  select.replaceChildren(el('option', { value: '', text: 'all local partitions' }),
    ...(table ? table.localPartitions.map((p) => el('option', { value: String(p), text: String(p) })) : []));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

async function lookup() {
  const table = document.getElementById('lookup-table').value;
  const key = document.getElementById('lookup-key').value;
  const result = document.getElementById('lookup-result');
  const button = document.getElementById('lookup-submit');
  if (!table) {
    result.replaceChildren(el('p', { class: 'error', text: 'No table to look up.' }));
    return;
  }

  button.disabled = true;
  result.replaceChildren(el('p', { class: 'muted', text: 'Looking up…' }));
  try {
    const { body } = await getJson(`api/tables/${encodeURIComponent(table)}/lookup?key=${encodeURIComponent(key)}`);
    result.replaceChildren(
      el('p', {}, el('span', { class: 'muted', text: `${body.table}[` }), el('code', { class: 'lookup-key', text: body.key }),
        el('span', { class: 'muted', text: '] = ' }), el('span', { class: 'value', id: 'lookup-value', text: JSON.stringify(body.value) })),
      el('p', { class: 'muted' },
        body.status === 'default' ? 'The key is not in the table; this is the table\'s default. ' : 'Found. ',
        `Partition ${body.partition}. Served by worker `, el('strong', { id: 'lookup-served-by', text: body.servedBy.id }), ` (${body.servedBy.url}).`));
  } catch (error) {
    result.replaceChildren(el('p', { class: 'error', text: `Lookup failed: ${error.message}` }));
  } finally {
    button.disabled = false;
  }
}

async function browse() {
  const body = document.querySelector('#keys-table-grid tbody');
  const range = document.getElementById('keys-range');
  if (!keysState.table) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'Pick a table.' })));
    return;
  }

  const partition = keysState.partition === '' ? '' : `&partition=${encodeURIComponent(keysState.partition)}`;
  try {
    const { body: page } = await getJson(`api/tables/${encodeURIComponent(keysState.table)}/keys?offset=${keysState.offset}&limit=${PAGE}${partition}`);
    keysState.total = page.total;
    body.replaceChildren(...(page.items.length
      ? page.items.map((item) => el('tr', {},
        el('td', { class: 'key', text: item.key }),
        el('td', { class: 'num', text: String(item.partition) }),
        el('td', { class: 'value', text: JSON.stringify(item.value) })))
      : [el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'No keys on this page.' }))]));
    range.textContent = page.total === 0
      ? `No keys here (served by ${page.servedBy.id}).`
      : `Keys ${page.offset + 1}–${page.offset + page.items.length} of ${count(page.total)} (served by ${page.servedBy.id})`;
    document.getElementById('keys-prev').disabled = page.offset === 0;
    document.getElementById('keys-next').disabled = page.offset + page.items.length >= page.total;
  } catch (error) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 3, class: 'error', text: `Could not load keys: ${error.message}` })));
    range.textContent = '';
  }
}
