// bench/lib/chart.js: the benchmark curves' SVG is well-formed XML, puts every point, limit and target where
// the axes say it belongs, escapes text, and draws missing or empty data as a panel saying so (never NaN).
import { describe, expect, it } from 'vitest';
import { chartSvg, type Curve, type CurvePoint } from '../../bench/lib/chart.js';

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's five entities and character references; anything else (a bare `&`, `<`) is not well-formed. */
function decode(raw: string, where: string): string {
  if (/</.test(raw)) throw new Error(`raw "<" in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated "&" in ${where}`);
    const entity = ENTITIES[name];
    if (entity !== undefined) return entity;
    const code = /^#x([0-9a-f]+)$/i.exec(name)?.[1];
    if (code) return String.fromCodePoint(parseInt(code, 16));
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    throw new Error(`unknown entity &${name}; in ${where}`);
  });
}

/**
 * A small XML parser for what the chart writes (elements, attributes, text; no comments, CDATA or
 * doctype): throws on anything not well-formed — unbalanced or crossed tags, unquoted or repeated
 * attributes, bad entities, text outside the root, more than one root.
 */
function parseXml(xml: string): Element {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
  const attr = /\s+([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  const stack: Element[] = [];
  const top = () => stack[stack.length - 1];
  let root: Element | undefined;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.trim()) {
      const parent = top();
      if (!parent) throw new Error(`text outside the root: ${text.slice(0, 40)}`);
      parent.text += decode(text, 'text');
    }
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [whole, closing, name = '', attrText = '', selfClosing] = m;
    i = lt + whole.length;
    if (closing) {
      if (attrText || selfClosing) throw new Error(`malformed end tag ${whole}`);
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const el: Element = { name, attrs: {}, children: [], text: '' };
    for (const [, key = '', double, single] of attrText.matchAll(attr)) {
      if (key in el.attrs) throw new Error(`attribute ${key} twice in <${name}>`);
      el.attrs[key] = decode(double ?? single ?? '', `attribute ${key}`);
    }
    const parent = top();
    if (parent) parent.children.push(el);
    else if (root) throw new Error('a second root element');
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  const unclosed = top();
  if (unclosed) throw new Error(`<${unclosed.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** `x`, which the test expects to be there. */
function there<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`${what} is missing`);
  return x;
}

const all = (el: Element, pred: (e: Element) => boolean): Element[] => [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => all(c, pred))];
const textOf = (el: Element): string => el.text + el.children.map(textOf).join('');
const num = (el: Element, a: string) => Number(el.attrs[a]);

function panel(svg: Element, id: string): Element {
  return there(all(svg, (e) => e.attrs['data-panel'] === id)[0], `panel ${id}`);
}

/** The SVG coordinate of `value` on a panel's axis, interpolated between the two ticks around it (linear or log). */
function axisAt(p: Element, axis: 'x' | 'y', value: number, log = false): number {
  const ticks = all(p, (e) => e.attrs.class === `tick ${axis}`)
    .map((g) => {
      const line = g.children.find((c) => c.name === 'line')!;
      return { v: Number(g.attrs['data-value']), at: num(line, axis === 'x' ? 'x1' : 'y1') };
    })
    .sort((a, b) => a.v - b.v);
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  const f = (v: number) => (log ? Math.log10(v) : v);
  const hi = ticks.findIndex((t) => t.v >= value);
  const a = there(ticks[hi <= 0 ? 0 : hi - 1], 'tick');
  const b = there(ticks[hi <= 0 ? 1 : hi], 'tick');
  return a.at + ((f(value) - f(a.v)) / (f(b.v) - f(a.v))) * (b.at - a.at);
}

const shares = [0.25, 0.5, 0.75, 0.9, 1, 1.1];
function points(max: number, p50: number): CurvePoint[] {
  return shares.map((share, i) => ({
    share,
    offered: max * share,
    achieved: Math.min(max * share, max * 0.97),
    p50Ms: p50 * (1 + i),
    p99Ms: p50 * 4 * (1 + i * i),
    errors: 0,
    dropped: share > 1 ? 5 : 0,
  }));
}

const login: Curve = {
  name: 'Login',
  unit: 'journeys/s',
  limit: { name: 'argon2id verifies/s', value: 221.5 },
  target: { ratio: 0.9, value: 199.35 },
  points: points(147, 14),
};
const profile: Curve = {
  name: 'BenchProfile (non-credential step)',
  unit: 'steps/s',
  limit: { name: 'express echo', value: 14289 },
  target: { ratio: 0.5, value: 7144.5 },
  p99TargetMs: 10,
  points: points(2742, 1.5),
};
const about = { date: '2026-12-03T08:00:00.000Z', machine: 'Test CPU, 2 cores', quick: false };

describe('bench chart', () => {
  it('is one well-formed SVG document with a title naming the run', () => {
    const svg = parseXml(chartSvg({ login, profile }, about));
    expect(svg.name).toBe('svg');
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attrs.viewBox).toBe(`0 0 ${svg.attrs.width} ${svg.attrs.height}`);
    expect(textOf(svg)).toContain('2026-12-03T08:00:00.000Z');
    expect(textOf(svg)).toContain('Test CPU, 2 cores');
    expect(all(svg, (e) => e.name === 'g' && e.attrs.class === 'panel').map((e) => e.attrs['data-panel'])).toEqual([
      'login-throughput',
      'login-latency',
      'profile-throughput',
      'profile-latency',
    ]);
  });

  it('places every point at its offered load and value on the axes, in order of offered load', () => {
    const svg = parseXml(chartSvg({ login, profile }, about));
    for (const [key, curve] of [
      ['login', login],
      ['profile', profile],
    ] as const) {
      const cases = [
        { id: `${key}-throughput`, series: 'achieved', field: 'achieved', log: false },
        { id: `${key}-latency`, series: 'p50', field: 'p50Ms', log: true },
        { id: `${key}-latency`, series: 'p99', field: 'p99Ms', log: true },
      ] as const;
      for (const { id, series, field, log } of cases) {
        const p = panel(svg, id);
        const marks = all(p, (e) => e.name === 'circle' && e.attrs['data-series'] === series);
        expect(marks).toHaveLength(curve.points.length);
        const xs = marks.map((m) => num(m, 'cx'));
        for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(there(xs[i - 1], 'x'));
        marks.forEach((m, i) => {
          const point = there(curve.points[i], 'point');
          expect(num(m, 'cx')).toBeCloseTo(axisAt(p, 'x', point.offered!), 0);
          expect(num(m, 'cy')).toBeCloseTo(axisAt(p, 'y', point[field]!, log), 0);
        });
        // Values that rise with the load are drawn higher up (smaller y) as the load rises.
        const ys = marks.map((m) => num(m, 'cy'));
        for (let i = 1; i < ys.length; i++)
          if (there(curve.points[i], 'point')[field]! > there(curve.points[i - 1], 'point')[field]!)
            expect(ys[i]).toBeLessThan(there(ys[i - 1], 'y'));
        const polyline = there(all(p, (e) => e.name === 'polyline' && e.attrs['data-series'] === series)[0], 'polyline');
        expect(polyline.attrs.points).toBe(marks.map((m) => `${m.attrs.cx},${m.attrs.cy}`).join(' '));
      }
    }
  });

  it('draws the limit, the target and the 10 ms p99 target at their values', () => {
    const svg = parseXml(chartSvg({ login, profile }, about));
    const ref = (p: Element, kind: string) => {
      const line = there(all(p, (e) => e.attrs['data-ref'] === kind)[0], kind);
      expect(line.attrs.y1).toBe(line.attrs.y2);
      return num(line, 'y1');
    };
    for (const [key, curve] of [
      ['login', login],
      ['profile', profile],
    ] as const) {
      const p = panel(svg, `${key}-throughput`);
      const limitY = ref(p, 'limit');
      const targetY = ref(p, 'target');
      expect(limitY).toBeCloseTo(axisAt(p, 'y', curve.limit!.value!), 0);
      expect(targetY).toBeCloseTo(axisAt(p, 'y', curve.target!.value!), 0);
      expect(limitY).toBeLessThan(targetY);
    }
    const stepLatency = panel(svg, 'profile-latency');
    const tenMs = there(all(stepLatency, (e) => e.attrs.class === 'tick y' && e.attrs['data-value'] === '10')[0], 'the 10 ms tick');
    expect(ref(stepLatency, 'p99-target')).toBe(num(there(tenMs.children[0], 'its line'), 'y1'));
    // Login has no latency target: no line for one.
    expect(all(panel(svg, 'login-latency'), (e) => e.attrs['data-ref'] !== undefined)).toEqual([]);
  });

  it('marks the points that had errors or dropped arrivals, and says so in the legend', () => {
    const svg = parseXml(chartSvg({ login, profile }, about));
    const p = panel(svg, 'login-throughput');
    const ringed = all(p, (e) => e.name === 'circle' && e.attrs.class === 'with-errors');
    expect(ringed.map((m) => Number(m.attrs['data-offered']))).toEqual([there(login.points[5], 'point').offered]);
    expect(textOf(p)).toContain('point with errors or dropped arrivals');
  });

  it('escapes text from the results', () => {
    const hostile = { ...login, name: `Login <script>&"'`, limit: { name: 'a < b & c', value: 221.5 } };
    const out = chartSvg({ login: hostile, profile }, { ...about, machine: 'CPU "x" & <y>' });
    expect(out).not.toContain('<script>');
    const svg = parseXml(out);
    const text = textOf(svg);
    expect(text).toContain(`Login <script>&"'`);
    expect(text).toContain('a < b & c');
    expect(text).toContain('CPU "x" & <y>');
  });

  it('draws a missing curve, or one without points, as a panel saying so', () => {
    const out = chartSvg({ login: { ...login, points: [] } }, about);
    const svg = parseXml(out);
    for (const id of ['login-throughput', 'login-latency']) {
      const p = panel(svg, id);
      expect(p.attrs.class).toBe('panel empty');
      expect(textOf(p)).toContain('no points measured');
    }
    expect(textOf(panel(svg, 'profile-throughput'))).toContain('curve not measured');
    expect(all(svg, (e) => e.name === 'circle')).toEqual([]);
    expect(chartSvg({}, {})).toContain('curve not measured');
  });

  it('never writes NaN or Infinity: zero loads draw at the origin, unmeasured values are left out', () => {
    const zeros = shares.map((share) => ({ share, offered: 0, achieved: 0, p50Ms: 0, p99Ms: 0, errors: 0, dropped: 0 }));
    const zero = chartSvg(
      { login: { ...login, limit: null, target: null, points: zeros }, profile: { ...profile, limit: { name: 'echo', value: 0 } } },
      about,
    );
    expect(zero).not.toMatch(/NaN|Infinity/);
    const svg = parseXml(zero);
    const achieved = all(panel(svg, 'login-throughput'), (e) => e.name === 'circle' && e.attrs['data-series'] === 'achieved');
    expect(achieved).toHaveLength(6);
    expect(new Set(achieved.map((m) => `${m.attrs.cx},${m.attrs.cy}`)).size).toBe(1);
    expect(all(panel(svg, 'login-throughput'), (e) => e.attrs['data-ref'] !== undefined)).toEqual([]);
    // No latency above zero: nothing to put on a log scale.
    expect(textOf(panel(svg, 'login-latency'))).toContain('no latency measured');

    const gaps = login.points.map((p, i) => (i === 2 ? { ...p, achieved: null, p99Ms: null } : p));
    const gapped = parseXml(chartSvg({ login: { ...login, points: gaps } }, about));
    const count = (id: string, series: string) => all(panel(gapped, id), (e) => e.name === 'circle' && e.attrs['data-series'] === series).length;
    expect([count('login-throughput', 'achieved'), count('login-latency', 'p50'), count('login-latency', 'p99')]).toEqual([5, 6, 5]);
  });

  it('refuses what is not a curves object', () => {
    expect(() => chartSvg(null as never)).toThrow(/curves must be an object/);
    expect(() => chartSvg({ login: { ...login, points: undefined as never } })).toThrow(/curves.login.points must be an array/);
  });
});
