/**
 * The benchmark's curves as one SVG chart (bench/results/latest.svg): for Login and for the non-credential
 * step, achieved throughput against offered load beside the limit and the target, and p50/p99 latency against
 * offered load (log scale) beside the step's p99 target. Pure and dependency-free: curves in, SVG text out.
 */

const WIDTH = 900;
const PANEL = { width: WIDTH / 2, height: 340 };
const HEADER = 64;
// The top margin holds a panel's title and up to three lines of legend.
const MARGIN = { left: 64, right: 18, top: 86, bottom: 46 };
const COLOR = {
  achieved: '#1f6fb4',
  offered: '#8a8a8a',
  limit: '#c0392b',
  target: '#2e8b57',
  p50: '#1f6fb4',
  p99: '#e67e22',
  errors: '#c0392b',
  grid: '#e4e4e4',
  axis: '#444',
  text: '#222',
};
/** The curves drawn, in order: one row of two panels each. */
const ROWS = [
  ['login', 'Login'],
  ['profile', 'Non-credential step'],
];

/** Text escaped for XML content and attribute values. */
export function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

/** A coordinate or length as SVG text; anything not finite is a bug in the chart, never written as NaN. */
function n(x) {
  if (!Number.isFinite(x)) throw new Error(`chart: a coordinate is ${x}`);
  return String(Math.round(x * 10) / 10);
}

const finite = (x) => typeof x === 'number' && Number.isFinite(x);

/** A number for a label: integers above 100, one decimal below, at most three significant decimals under 1. */
function label(x) {
  if (Math.abs(x) >= 100) return String(Math.round(x));
  if (Math.abs(x) >= 1) return String(Math.round(x * 10) / 10);
  return String(Number(x.toPrecision(2)));
}

/** A linear scale over [0, a nice maximum ≥ `max`] onto [a, b], with its ticks (about five). */
function linearScale(max, a, b) {
  const top = max > 0 ? max : 1;
  const raw = top / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const hi = Math.ceil(top / step - 1e-9) * step;
  const ticks = Array.from({ length: Math.round(hi / step) + 1 }, (_, i) => round6(i * step));
  return { at: (v) => a + (v / hi) * (b - a), ticks, labelled: ticks };
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;

/**
 * A log10 scale over whole decades covering [min, max] (both > 0) onto [a, b]; ticks at 1, 2, 5 × 10^k. A
 * minimum on a decade (the 10 ms target, most often) starts a decade lower, off the axis line.
 */
function logScale(min, max, a, b) {
  const lo = Math.floor(Math.log10(min) - 1e-9);
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const at = (v) => a + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (b - a);
  const ticks = [];
  for (let k = lo; k <= hi; k++) for (const m of k === hi ? [1] : [1, 2, 5]) ticks.push(round6(m * 10 ** k));
  // Over more than three decades only the decades are labelled (the others stay as grid lines).
  const labelled = hi - lo > 3 ? ticks.filter((t) => Number.isInteger(Math.log10(t))) : ticks;
  return { at, ticks, labelled };
}

/** One legend entry: a short line sample (dashed or not, with a marker or not), or only a ringed marker, and its text. */
function legendItem(x, y, { color, dash, marker, ring, text }) {
  return (
    `<g class="legend-item">` +
    (ring
      ? `<circle cx="${n(x + 11)}" cy="${n(y)}" r="3.5" fill="#fff" stroke="${color}" stroke-width="2"/>`
      : `<line x1="${n(x)}" y1="${n(y)}" x2="${n(x + 22)}" y2="${n(y)}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`) +
    (marker ? `<circle cx="${n(x + 11)}" cy="${n(y)}" r="3" fill="${color}"/>` : '') +
    `<text x="${n(x + 27)}" y="${n(y + 4)}">${escapeXml(text)}</text></g>`
  );
}

/**
 * The legend under a panel's title, as many entries a line as fit (a rough 6.2 px per character at 11 px).
 */
function legend(x0, y0, width, items) {
  const out = [];
  let x = x0;
  let y = y0;
  for (const item of items) {
    const w = 27 + item.text.length * 6.2 + 14;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += 15;
    }
    out.push(legendItem(x, y, item));
    x += w;
  }
  return `<g class="legend" font-size="11">${out.join('')}</g>`;
}

/** A horizontal reference line across the plot at `value`, labelled at its right end. */
function refLine(kind, value, y, plot, color, text) {
  return (
    `<line class="ref" data-ref="${kind}" data-value="${value}" x1="${n(plot.x0)}" y1="${n(y)}" x2="${n(plot.x1)}" y2="${n(y)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>` +
    `<text x="${n(plot.x1 - 4)}" y="${n(y - 4)}" text-anchor="end" font-size="11" fill="${color}">${escapeXml(text)}</text>`
  );
}

/** A series as a polyline with a marker at every point; `points` are [offered, value, point] with finite numbers. */
function series(name, points, x, y, color) {
  if (points.length === 0) return '';
  const line =
    points.length > 1
      ? `<polyline class="series" data-series="${name}" fill="none" stroke="${color}" stroke-width="2" points="${points.map(([o, v]) => `${n(x(o))},${n(y(v))}`).join(' ')}"/>`
      : '';
  const marks = points
    .map(([o, v, p]) => {
      return (
        `<circle data-series="${name}" data-offered="${o}" data-value="${v}" cx="${n(x(o))}" cy="${n(y(v))}" r="3.5" fill="${color}"` +
        (faulty(p) ? ` stroke="${COLOR.errors}" stroke-width="2" class="with-errors"` : '') +
        `/>`
      );
    })
    .join('');
  return line + marks;
}

const faulty = (p) => p.errors > 0 || p.dropped > 0;
/** The legend entry for ringed markers, when any of `points` has one. */
const faultLegend = (points) =>
  points.some(([, , p]) => faulty(p)) ? [{ color: COLOR.errors, ring: true, text: 'point with errors or dropped arrivals' }] : [];

/** Axes, grid and tick labels of a plot area. */
function axes(plot, xs, ys, xTitle, yTitle) {
  const out = [];
  for (const t of ys.ticks) {
    const y = ys.at(t);
    const text = ys.labelled.includes(t) ? `<text x="${n(plot.x0 - 6)}" y="${n(y + 4)}" text-anchor="end">${label(t)}</text>` : '';
    out.push(
      `<g class="tick y" data-value="${t}"><line x1="${n(plot.x0)}" y1="${n(y)}" x2="${n(plot.x1)}" y2="${n(y)}" stroke="${COLOR.grid}"/>${text}</g>`,
    );
  }
  for (const t of xs.ticks) {
    const x = xs.at(t);
    out.push(
      `<g class="tick x" data-value="${t}"><line x1="${n(x)}" y1="${n(plot.y0)}" x2="${n(x)}" y2="${n(plot.y0 + 5)}" stroke="${COLOR.axis}"/>` +
        `<text x="${n(x)}" y="${n(plot.y0 + 18)}" text-anchor="middle">${label(t)}</text></g>`,
    );
  }
  out.push(
    `<path d="M${n(plot.x0)},${n(plot.y1)} V${n(plot.y0)} H${n(plot.x1)}" fill="none" stroke="${COLOR.axis}"/>`,
    `<text x="${n((plot.x0 + plot.x1) / 2)}" y="${n(plot.y0 + 36)}" text-anchor="middle">${escapeXml(xTitle)}</text>`,
    `<text transform="translate(${n(plot.x0 - 46)},${n((plot.y0 + plot.y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(yTitle)}</text>`,
  );
  return `<g class="axes" font-size="11" fill="${COLOR.text}">${out.join('')}</g>`;
}

/** The plot area of the panel whose top-left corner is (x, y). */
function plotArea(x, y) {
  return { x0: x + MARGIN.left, x1: x + PANEL.width - MARGIN.right, y0: y + PANEL.height - MARGIN.bottom, y1: y + MARGIN.top };
}

/** A panel with its title and, instead of a plot, why there is none. */
function emptyPanel(id, x, y, title, why) {
  const plot = plotArea(x, y);
  return (
    `<g class="panel empty" data-panel="${id}">${panelTitle(x, y, title)}` +
    `<rect x="${n(plot.x0)}" y="${n(plot.y1)}" width="${n(plot.x1 - plot.x0)}" height="${n(plot.y0 - plot.y1)}" fill="#fafafa" stroke="${COLOR.grid}"/>` +
    `<text x="${n((plot.x0 + plot.x1) / 2)}" y="${n((plot.y0 + plot.y1) / 2)}" text-anchor="middle" font-size="13" fill="#777">${escapeXml(why)}</text></g>`
  );
}

const panelTitle = (x, y, title) => `<text x="${n(x + MARGIN.left)}" y="${n(y + 20)}" font-size="13" font-weight="bold">${escapeXml(title)}</text>`;

/** The points of `c` with a finite offered load and a finite `field`. */
const drawable = (c, field) => c.points.filter((p) => finite(p.offered) && finite(p[field])).map((p) => [p.offered, p[field], p]);

/** Achieved against offered, with the dotted achieved = offered line, the limit and the target. */
function throughputPanel(id, c, x, y, title) {
  const achieved = drawable(c, 'achieved');
  if (achieved.length === 0) return emptyPanel(id, x, y, title, 'no points measured');
  const plot = plotArea(x, y);
  const maxOffered = Math.max(...achieved.map(([o]) => o));
  const limit = finite(c.limit?.value) ? c.limit : undefined;
  const target = limit && finite(c.target?.value) ? c.target : undefined;
  const xs = linearScale(maxOffered, plot.x0, plot.x1);
  const xMax = xs.ticks[xs.ticks.length - 1];
  const ys = linearScale(Math.max(xMax, ...achieved.map(([, v]) => v), limit?.value ?? 0, target?.value ?? 0), plot.y0, plot.y1);
  const unit = c.unit ?? '/s';
  const items = [
    { color: COLOR.achieved, marker: true, text: 'achieved' },
    { color: COLOR.offered, dash: '2 3', text: 'achieved = offered' },
  ];
  const refs = [];
  if (limit) {
    items.push({ color: COLOR.limit, dash: '6 4', text: `limit: ${limit.name}` });
    refs.push(refLine('limit', limit.value, ys.at(limit.value), plot, COLOR.limit, `limit ${label(limit.value)}`));
  }
  if (target) {
    items.push({ color: COLOR.target, dash: '6 4', text: `target ${target.ratio.toFixed(2)} × limit` });
    refs.push(refLine('target', target.value, ys.at(target.value), plot, COLOR.target, `target ${label(target.value)}`));
  }
  items.push(...faultLegend(achieved));
  return (
    `<g class="panel" data-panel="${id}">${panelTitle(x, y, title)}${legend(plot.x0, y + 38, plot.x1 - plot.x0, items)}` +
    axes(plot, xs, ys, `offered (${unit})`, `achieved (${unit})`) +
    `<line class="diagonal" x1="${n(plot.x0)}" y1="${n(plot.y0)}" x2="${n(xs.at(xMax))}" y2="${n(ys.at(xMax))}" stroke="${COLOR.offered}" stroke-width="1.2" stroke-dasharray="2 3"/>` +
    refs.join('') +
    series('achieved', achieved, xs.at, ys.at, COLOR.achieved) +
    `</g>`
  );
}

/** p50 and p99 against offered on a log scale, with the p99 target where the curve has one. */
function latencyPanel(id, c, x, y, title) {
  const p50 = drawable(c, 'p50Ms');
  const p99 = drawable(c, 'p99Ms');
  const positive = [...p50, ...p99].map(([, v]) => v).filter((v) => v > 0);
  if (positive.length === 0) return emptyPanel(id, x, y, title, 'no latency measured');
  const plot = plotArea(x, y);
  const targetMs = finite(c.p99TargetMs) && c.p99TargetMs > 0 ? c.p99TargetMs : undefined;
  const bounds = targetMs ? [...positive, targetMs] : positive;
  const xs = linearScale(Math.max(...[...p50, ...p99].map(([o]) => o)), plot.x0, plot.x1);
  const ys = logScale(Math.min(...bounds), Math.max(...bounds), plot.y0, plot.y1);
  const items = [
    { color: COLOR.p50, marker: true, text: 'p50' },
    { color: COLOR.p99, marker: true, text: 'p99' },
  ];
  if (targetMs) items.push({ color: COLOR.target, dash: '6 4', text: `p99 target < ${label(targetMs)} ms` });
  items.push(...faultLegend([...p50, ...p99]));
  return (
    `<g class="panel" data-panel="${id}">${panelTitle(x, y, title)}${legend(plot.x0, y + 38, plot.x1 - plot.x0, items)}` +
    axes(plot, xs, ys, `offered (${c.unit ?? '/s'})`, 'latency (ms, log scale)') +
    (targetMs ? refLine('p99-target', targetMs, ys.at(targetMs), plot, COLOR.target, `${label(targetMs)} ms`) : '') +
    series('p50', p50, xs.at, ys.at, COLOR.p50) +
    series('p99', p99, xs.at, ys.at, COLOR.p99) +
    `</g>`
  );
}

/**
 * The SVG chart of `curves` ({ login?, profile? }, each as bench/run.js's `curve` returns it: name, unit,
 * limit { name, value } | null, target { ratio, value } | null, p99TargetMs?, points [{ share, offered,
 * achieved, p50Ms, p99Ms, errors, dropped }]). `about` titles it: run date, machine, whether a quick run.
 * A missing curve, or one without points, is drawn as a panel saying so; a value that is not a finite
 * number leaves its point out.
 */
export function chartSvg(curves, about = {}) {
  if (curves === null || typeof curves !== 'object') throw new TypeError('chart: curves must be an object ({ login, profile })');
  const height = HEADER + ROWS.length * PANEL.height;
  const body = ROWS.map(([key, fallback], row) => {
    const c = curves[key];
    const y = HEADER + row * PANEL.height;
    if (c !== undefined && c !== null && !Array.isArray(c?.points)) throw new TypeError(`chart: curves.${key}.points must be an array`);
    const name = c?.name ?? fallback;
    const unit = c?.unit ? ` (${c.unit})` : '';
    if (!c || c.points.length === 0) {
      const why = c ? 'no points measured' : 'curve not measured';
      return (
        emptyPanel(`${key}-throughput`, 0, y, `${name}: throughput`, why) + emptyPanel(`${key}-latency`, PANEL.width, y, `${name}: latency`, why)
      );
    }
    return (
      throughputPanel(`${key}-throughput`, c, 0, y, `${name}: throughput${unit}`) +
      latencyPanel(`${key}-latency`, c, PANEL.width, y, `${name}: latency p50 / p99`)
    );
  }).join('\n');
  const subtitle = [about.date, about.machine, about.quick ? 'BENCH_QUICK smoke run: numbers not meaningful' : undefined].filter(Boolean).join(' · ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" fill="${COLOR.text}">`,
    `<title>Cairn benchmark curves${about.date ? ` ${escapeXml(about.date)}` : ''}</title>`,
    // Opaque, so that the chart stays readable on a dark page.
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${n(MARGIN.left)}" y="24" font-size="16" font-weight="bold">Cairn benchmark: throughput and latency against offered load</text>`,
    `<text x="${n(MARGIN.left)}" y="42" font-size="11">${escapeXml(subtitle)}</text>`,
    `<text x="${n(MARGIN.left)}" y="56" font-size="11">Fixed arrival rates at shares of the maximum measured in the same run; latency from each request's scheduled send time.</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
