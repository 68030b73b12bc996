/**
 * CPU time and memory of a process and all its descendants, read from /proc (Linux only): so a server
 * running several workers is measured as a whole. CPU is utime+stime clock ticks; memory is VmRSS
 * (now) and VmHWM (peak), summed over the tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks;
/** Clock ticks per second (`getconf CLK_TCK`, almost always 100). */
export function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and every live descendant. */
export function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(entry)[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while we listed /proc
    }
  }
  const tree = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    tree.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return tree;
}

/**
 * Seconds of CPU (user + system) used so far by the tree under `pid`, including reaped children, and the
 * part of it spent on the processes' main threads (a Node process's JavaScript; the rest is its other
 * threads: the libuv pool, where password hashes run, V8's helpers, native libraries' threads).
 */
export function cpuBreakdown(pid) {
  let ticks = 0;
  let mainTicks = 0;
  for (const p of processTree(pid)) {
    try {
      const f = statFields(p);
      // utime, stime, cutime, cstime are fields 14–17 of stat, i.e. indexes 11–14 after the name.
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      const main = statFields(`${p}/task/${p}`);
      mainTicks += Number(main[11]) + Number(main[12]);
    } catch {
      // ended meanwhile
    }
  }
  return { seconds: ticks / ticksPerSecond(), mainThreadSeconds: mainTicks / ticksPerSecond() };
}

/** The `… kB` fields of /proc/<pid>/status, read once, as { VmRSS: KiB, VmHWM: KiB, RssAnon: KiB, … }. */
function statusKiB(pid) {
  const out = {};
  for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/**
 * { rssMiB, peakRssMiB, anonRssMiB, processes } for the tree under `pid` (peak = sum of each process's VmHWM;
 * anon = RssAnon, the resident memory that is not a mapped file, such as an lmdb store's pages).
 */
export function memory(pid) {
  let rss = 0;
  let hwm = 0;
  let anon = 0;
  const tree = processTree(pid);
  for (const p of tree) {
    try {
      const status = statusKiB(p);
      rss += status.VmRSS ?? 0;
      hwm += status.VmHWM ?? 0;
      anon += status.RssAnon ?? 0;
    } catch {
      // ended meanwhile
    }
  }
  return { rssMiB: rss / 1024, peakRssMiB: hwm / 1024, anonRssMiB: anon / 1024, processes: tree.length };
}

/**
 * Starts measuring the CPU of the tree under `pid`; `stop()` gives cores used on average (1.0 = one core
 * busy), the CPU seconds, and how many of them the processes' main threads used.
 */
export function cpuMeter(pid) {
  const cpu0 = cpuBreakdown(pid);
  const t0 = performance.now();
  return {
    stop() {
      const wall = (performance.now() - t0) / 1000;
      const cpu = cpuBreakdown(pid);
      const used = cpu.seconds - cpu0.seconds;
      return {
        cpuSeconds: Math.round(used * 100) / 100,
        mainThreadCpuSeconds: Math.round((cpu.mainThreadSeconds - cpu0.mainThreadSeconds) * 100) / 100,
        cores: Math.round((used / wall) * 100) / 100,
      };
    },
  };
}

/** The same for this process (the load generator). */
export function selfCpuMeter() {
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const d = process.cpuUsage(u0);
      const wall = (performance.now() - t0) / 1000;
      return { cores: Math.round(((d.user + d.system) / 1e6 / wall) * 100) / 100 };
    },
  };
}

/** Busy CPU seconds of the whole machine so far (all processes), from the first line of /proc/stat. */
function machineBusySeconds() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  void idle;
  void iowait;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / ticksPerSecond();
}

/** Starts measuring the whole machine's busy CPU; `stop()` gives busy cores on average. */
export function machineCpuMeter() {
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  return {
    stop() {
      const wall = (performance.now() - t0) / 1000;
      return { cores: Math.round(((machineBusySeconds() - busy0) / wall) * 100) / 100 };
    },
  };
}
