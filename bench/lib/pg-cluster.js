/**
 * A private, throwaway PostgreSQL cluster, for the benchmark's PostgreSQL pass and for tests that stop
 * and start the database themselves: initdb into a temporary directory, a server on a loopback port,
 * `stop`/`start` for outages, `destroy` at the end. The binaries come from CAIRN_TEST_PG_BIN (.ci/run
 * exports it) or /usr/lib/postgresql/<newest>/bin. PostgreSQL refuses to run as root, so as root the
 * commands run as the `postgres` account (runuser).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The directory holding initdb and pg_ctl, if PostgreSQL is installed. */
export function postgresBinDir() {
  const fromEnv = process.env.CAIRN_TEST_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** uid and gid of the `postgres` account, from /etc/passwd. */
function postgresAccount() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
}

/** Why a private cluster cannot run here, or undefined when it can. */
export function clusterUnavailable() {
  if (!postgresBinDir()) return 'PostgreSQL is not installed (set CAIRN_TEST_PG_BIN)';
  if (process.getuid?.() === 0 && !postgresAccount()) return 'running as root without a postgres account';
  return undefined;
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Runs `sql` (one or more statements, no parameters) with psql on the database at `uri`; resolves what psql
 * printed, unaligned and without headers (for a bench that reads sizes and plans, not for Cairn's own SQL).
 */
export async function psql(uri, sql) {
  const { stdout } = await exec(join(postgresBinDir(), 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', uri, '-c', sql]);
  return stdout.trim();
}

export async function startPgCluster() {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? postgresAccount() : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'cairn-pg-'));
  if (account) await chown(dir, account.uid, account.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (tool, args) => (asRoot ? exec('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : exec(join(bin, tool), args));
  await run('initdb', ['-D', data, '-U', 'cairn', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-N']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const cluster = {
    uri: `postgres://cairn@127.0.0.1:${port}/postgres`,
    pid: 0,
    async start() {
      await run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
      cluster.pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    },
    async stop() {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
