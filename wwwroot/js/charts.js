// Time-series charts on uPlot (vendored in vendor/uplot). The library is loaded on demand: if it cannot be, the
// charts say so and everything else keeps working. Each chart keeps at most MAX_POINTS seconds and mirrors its
// state in data-points / data-last / data-max attributes and its aria-label, for screen readers and tests.

import { el, rate } from './format.js';

const MAX_POINTS = 300;
let loading = null;

function loadUPlot() {
  loading ??= import('../vendor/uplot/uPlot.esm.js').then((module) => module.default);
  return loading;
}

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString('en-GB');
}

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export class RateChart {
  constructor(container, { label, colorVar }) {
    this.container = container;
    this.label = label;
    this.colorVar = colorVar;
    this.times = [];
    this.values = [];
    this.plot = null;
    this.failed = false;
  }

  async init() {
    let uPlot;
    try {
      uPlot = await loadUPlot();
    } catch (error) {
      this.failed = true;
      this.container.append(el('p', { class: 'chart-missing', text: `Chart unavailable: the charting library did not load (${error.message}).` }));
      return;
    }

    const color = cssVar(this.colorVar, '#2457c5');
    const muted = cssVar('--muted', '#5d6678');
    const grid = cssVar('--border', '#d9dde5');
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    this.plot = new uPlot({
      width: this.width(),
      height: this.height(),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(1, (max || 0) * 1.15)] },
      },
      axes: [
        { ...axis, space: 70, values: (_u, ticks) => ticks.map((t) => clock(t)) },
        { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => rate(t)) },
      ],
      series: [{}, { label: this.label, stroke: color, width: 2, fill: `${color}26`, points: { show: false } }],
    }, [[], []], this.container);

    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height() })).observe(this.container);
    this.redraw();
  }

  width() {
    return Math.max(200, Math.floor(this.container.clientWidth || this.container.parentElement.clientWidth || 300));
  }

  height() {
    return window.matchMedia('(max-width: 40rem)').matches ? 160 : 190;
  }

  /** Replaces the data: times in Unix milliseconds, values per second. */
  setHistory(times, values) {
    this.times = times.slice(-MAX_POINTS);
    this.values = values.slice(-MAX_POINTS);
    this.redraw();
  }

  /** Adds the newest second (ignored when it is not newer than the last point). */
  push(timeMs, value) {
    if (this.times.length > 0 && timeMs <= this.times[this.times.length - 1]) return;
    this.times.push(timeMs);
    this.values.push(value);
    if (this.times.length > MAX_POINTS) {
      this.times.shift();
      this.values.shift();
    }
    this.redraw();
  }

  redraw() {
    const last = this.values.length ? this.values[this.values.length - 1] : null;
    const max = this.values.length ? Math.max(...this.values) : 0;
    this.container.dataset.points = String(this.values.length);
    this.container.dataset.last = last === null ? '' : String(last);
    this.container.dataset.max = String(max);
    const caption = this.values.length
      ? `${this.label} over the last ${this.values.length} seconds: now ${rate(last)}, highest ${rate(max)}.`
      : `${this.label}: no data yet.`;
    this.container.setAttribute('aria-label', caption);
    this.plot?.setData([this.times.map((t) => t / 1000), this.values]);
  }
}
