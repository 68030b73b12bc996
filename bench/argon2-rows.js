/**
 * `node bench/argon2-rows.js [seconds] [rounds]`: what each of the OWASP Password Storage Cheat Sheet's
 * equivalent argon2id rows (m=47104/t=1 … m=7168/t=5, rated as equal defence) costs this machine, one
 * verify at a time on one thread and then on every core at once (argon2-limit.js as `npm run bench` runs
 * it). The rows take turns for `rounds` rounds (default 3) of `seconds` each (default 4) so that the
 * machine's drift falls on all alike; prints the median verifies/s and CPU ms per verify of each. The
 * rows spend the same memory × passes, but a row whose memory, times the runs at once, outgrows the
 * caches its other work shares costs the server more CPU for the same defence. Needs a built dist/.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './lib/http-client.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const DIST = join(dirname(BENCH), 'dist');
const ROWS = [
  [47_104, 1],
  [19_456, 2],
  [12_288, 3],
  [9_216, 4],
  [7_168, 5],
];
const seconds = Number(process.argv[2] ?? 4);
const rounds = Number(process.argv[3] ?? 3);
const cores = availableParallelism();

/** One argon2-limit.js run: `threads` libuv threads with `inflight` verifies in flight. */
function limit([memory, passes], threads, inflight) {
  return new Promise((resolve, reject) => {
    const args = [join(BENCH, 'argon2-limit.js'), DIST, String(seconds), String(inflight), String(memory), String(passes)];
    const child = spawn(process.execPath, args, { env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`argon2-limit.js exited ${code}`)),
    );
  });
}

const runs = new Map(ROWS.map((row) => [row, { one: [], all: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const row of ROWS) {
    runs.get(row).one.push(await limit(row, 1, 1));
    runs.get(row).all.push(await limit(row, cores, cores * 2));
  }
}

const cell = (results) =>
  `${round(median(results.map((x) => x.verifiesPerSecond)), 1)}/s, ${round(median(results.map((x) => x.cpuMsPerVerify)), 2)} ms`;
const lines = [
  `argon2id rows on ${cores} cores, median of ${rounds} rounds of ${seconds} s (verifies/s, CPU ms per verify):`,
  '',
  '| m (KiB) | t | m × t | one thread | all cores |',
  '|---|---|---|---|---|',
  ...ROWS.map((row) => `| ${row[0]} | ${row[1]} | ${row[0] * row[1]} | ${cell(runs.get(row).one)} | ${cell(runs.get(row).all)} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
