// Formatting shared by the views. Unknown values (null or undefined) render as "unknown", never as 0.

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

export const UNKNOWN = 'unknown';

export function known(value) {
  return value !== null && value !== undefined && !(typeof value === 'number' && Number.isNaN(value));
}

export function count(value) {
  return known(value) ? integer.format(value) : UNKNOWN;
}

export function rate(value) {
  if (!known(value)) return UNKNOWN;
  return value >= 100 ? integer.format(value) : oneDecimal.format(value);
}

export function ms(value) {
  if (!known(value)) return UNKNOWN;
  return value >= 100 ? integer.format(value) : value >= 1 ? oneDecimal.format(value) : twoDecimals.format(value);
}

export function duration(seconds) {
  if (!known(seconds)) return UNKNOWN;
  let s = Math.floor(seconds);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

export function time(iso) {
  if (!known(iso)) return UNKNOWN;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? UNKNOWN : date.toLocaleTimeString('en-GB');
}

/** Builds an element: el('td', { class: 'num', text: '3' }, child, ...). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Sets an element's text; returns whether it changed. */
export function setText(id, text) {
  const node = document.getElementById(id);
  if (!node || node.textContent === text) return false;
  node.textContent = text;
  return true;
}
