/**
 * Reads a V8 .cpuprofile (from `BENCH_CPU_PROFILE=1 npm run bench`, or node --cpu-prof) and prints where
 * the time went: self time by function and by module (dist/ folder or npm package), and inclusive time of
 * Cairn's own functions. Usage: node bench/profile-summary.js <file.cpuprofile> [top] [--window N]
 * --window N: only the samples taken while the bench measured its N-th pass (0-based, in the order of
 * windows.json, which the bench writes beside the profiles); otherwise the whole profile.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
const argv = process.argv.slice(2);
const w = argv.indexOf('--window');
const windowIndex = w >= 0 ? Number(argv.splice(w, 2)[1]) : undefined;
const [file, topArg] = argv;
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

let range = [-Infinity, Infinity];
if (windowIndex !== undefined) {
  const windows = JSON.parse(readFileSync(join(dirname(file), 'windows.json'), 'utf8'));
  const chosen = windows[windowIndex];
  if (!chosen) throw new Error(`no window ${windowIndex} in windows.json (${windows.length})`);
  range = [chosen.begin, chosen.end];
  process.stdout.write(`window ${windowIndex}: ${chosen.load}\n`);
}

// Self time per node from the samples and their time deltas (µs), within the window.
const self = new Map();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= range[0] && at <= range[1]) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** "express", "dist/am", "node:internal", "(gc)", … */
function moduleOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const dist = url.match(/\/dist\/([^/]+)\//);
  if (dist) return `dist/${dist[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/(?:deps\/)?/, 'node:');
  return url.replace(/^file:\/\//, '');
}

/** Cairn's own files by their path under dist/, packages and node's modules by module. */
const fileOf = (url, name) => url.match(/\/dist\/(.+)$/)?.[1] ?? moduleOf(url, name);
const label = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${fileOf(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;

const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);
const selfByFunction = new Map();
const selfByModule = new Map();
const inclusiveCairn = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  add(selfByFunction, label(n), t);
  add(selfByModule, moduleOf(n.callFrame.url, n.callFrame.functionName), t);
  // Charge this sample to every distinct Cairn function on its stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur);
    if (!/\/dist\//.test(f.callFrame.url) || /node_modules/.test(f.callFrame.url)) continue;
    const key = label(f);
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusiveCairn, key, t);
  }
}

const print = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(6)} %  ${k}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
print('Self time by module', selfByModule);
print('Self time by function', selfByFunction);
print('Inclusive time of Cairn functions', inclusiveCairn);
