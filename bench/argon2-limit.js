/**
 * The argon2id limit: how many password verifications per second this machine does with Cairn's own
 * hasher parameters, keeping every core busy. Run as a child process by run.js with UV_THREADPOOL_SIZE
 * set to the number of cores (@node-rs/argon2's async calls run on the libuv pool); prints one JSON line.
 * Usage: node bench/argon2-limit.js <dist dir> <seconds> <in-flight> [<memory KiB> <passes>]
 * (the last two: another row than Cairn's default, as bench/argon2-rows.js compares them).
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [distDir, secondsArg, inflightArg] = process.argv.slice(2);
if (!distDir) {
  process.stderr.write('usage: node bench/argon2-limit.js <dist dir> <seconds> <in-flight>\n');
  process.exit(2);
}
const seconds = Number(secondsArg ?? 10);
const inflight = Number(inflightArg ?? availableParallelism() * 2);

const [memoryArg, passesArg] = process.argv.slice(5);
const row = memoryArg && passesArg ? { memoryCost: Number(memoryArg), timeCost: Number(passesArg) } : {};

const { createPasswordHasher } = await import(pathToFileURL(join(distDir, 'identity', 'passwords.js')).href);
const hasher = createPasswordHasher(row);
const password = 'Bench-limit-7#kQ2vX9';
const stored = await hasher.hash(password);

// Warm up the pool threads (first allocations of the memory blocks), then measure.
await Promise.all(Array.from({ length: inflight }, () => hasher.verify(stored, password)));

let done = 0;
let wrong = 0;
const cpu0 = process.cpuUsage(); // the whole process, libuv pool threads included
const start = performance.now();
const end = start + seconds * 1000;
await Promise.all(
  Array.from({ length: inflight }, async () => {
    while (performance.now() < end) {
      if (!(await hasher.verify(stored, password))) wrong++;
      done++;
    }
  }),
);
const elapsed = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    verifiesPerSecond: done / elapsed,
    verifies: done,
    seconds: elapsed,
    cpuMsPerVerify: (cpu.user + cpu.system) / 1000 / done,
    cores: (cpu.user + cpu.system) / 1e6 / elapsed,
    failedVerifies: wrong,
    params: hasher.params,
    threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    inflight,
  }) + '\n',
);
