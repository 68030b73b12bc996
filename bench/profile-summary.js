/**
 * Reads a V8 .cpuprofile (from `BENCH_CPU_PROFILE=1 npm run bench`, or node --cpu-prof) and prints where
 * the time went: self time by function and by module (dist/ folder or npm package), and inclusive time of
 * Cairn's own functions. Usage: node bench/profile-summary.js <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas (µs).
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
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

const label = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${moduleOf(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;

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
