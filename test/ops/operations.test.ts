/**
 * Operating Cairn: health endpoints, metric names, configuration errors (environment and config
 * file), secrets kept out of logs, `cairn config show`, and graceful shutdown with a request in flight.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'cairn.js');
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('health and metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers liveness and readiness with what readiness checked', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'UP' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'UP', checks: { store: true, keys: true, journeys: true } });
  });

  it('exports the documented metrics in Prometheus format', async () => {
    await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=Nope`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    // Starting a journey touches no store (its state rides in the authId); validating a session does.
    await fetch(`${server.amUrl}/json/realms/root/sessions?_action=validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', iPlanetDirectoryPro: 'x'.repeat(43) },
    });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'cairn_journeys_started_total',
      'cairn_journeys_ended_total',
      'cairn_step_duration_seconds',
      'cairn_emails',
      'cairn_store_operation_duration_seconds',
      'cairn_rate_limit_hits_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('cairn_journeys_started_total{journey="SdkDemo"} 1');
    expect(text).toMatch(/cairn_step_duration_seconds_count\{journey="Nope",result="error"\} 1/);
    expect(text).toMatch(/cairn_store_operation_duration_seconds_count\{operation="sessions\.get"\} 1/);
  });
});

describe('configuration errors', () => {
  it('stops the start with a message naming each bad variable', async () => {
    const r = await cli(['serve'], { PORT: 'eighty', CAIRN_SESSION_IDLE_MINUTES: '0', CAIRN_PUBLIC_URL: 'ftp://x' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PORT must be a whole number, got "eighty".');
    expect(r.stderr).toContain('CAIRN_SESSION_IDLE_MINUTES must be >= 1');
    expect(r.stderr).toContain('CAIRN_PUBLIC_URL must be an absolute http(s) URL');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('reads a config file with the same schema, names its mistakes, and lets the environment win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-config-'));
    try {
      const file = join(dir, 'cairn.json');
      await writeFile(file, JSON.stringify({ port: 'x', colour: 'blue', sessionMaxMinutes: 60 }));
      const bad = await cli(['config', 'show'], { CAIRN_CONFIG_FILE: file });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`${file}: "port" must be integer, got "x".`);
      expect(bad.stderr).toContain(`${file}: "colour" is not a setting`);

      await writeFile(
        file,
        JSON.stringify({ port: 9100, dataDir: 'state', sessionMaxMinutes: 60, smtpUrl: 'smtp://user:hunter2@mail.example.com:587' }),
      );
      const good = await cli(['config', 'show', '--json'], { CAIRN_CONFIG_FILE: file, PORT: '9200' });
      expect(good.code).toBe(0);
      const shown = JSON.parse(good.stdout) as Record<string, unknown>;
      expect(shown.port).toBe(9200); // the environment wins over the file
      expect(shown.sessionMaxMinutes).toBe(60);
      expect(shown.dataDir).toBe(join(dir, 'state')); // relative to the file
      expect(shown.smtpUrl).toBe('********');
      expect(good.stdout).not.toContain('hunter2');
      const table = await cli(['config', 'show'], { CAIRN_CONFIG_FILE: file, PORT: '9200' });
      expect(table.stdout).toMatch(/^PORT\s+9200\s+env$/m);
      expect(table.stdout).toMatch(/^CAIRN_SESSION_MAX_MINUTES\s+60\s+file$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('logs', () => {
  it('carry a request id and never a password, authId, token, suspend id or cookie', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const server = await startTestServer({ CAIRN_LOG_LEVEL: 'info' }, { logger: createLogger('info', sink) });
    try {
      const url = `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo`;
      const start = (await (
        await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-12345678' } })
      ).json()) as {
        authId: string;
        callbacks: { input: { value: unknown }[] }[];
      };
      (start.callbacks[0]?.input[0] as { value: unknown }).value = 'loguser';
      (start.callbacks[1]?.input[0] as { value: unknown }).value = 'Sup3r-secret-passphrase';
      const choice = (await (
        await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(start) })
      ).json()) as {
        authId: string;
        callbacks: unknown[];
      };
      const done = (await (
        await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(choice) })
      ).json()) as { tokenId: string };
      await fetch(`${server.amUrl}/json/realms/root/authenticate?suspendedId=SecretSuspendId123456789`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: `iPlanetDirectoryPro=${done.tokenId}` },
      });
      await fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, {
        headers: { 'X-OpenIDM-Username': 'admin', 'X-OpenIDM-Password': 'AdminPw-should-not-appear' },
      });
      // Access lines are written when each response finishes: wait for them, not for a time.
      await vi.waitFor(() => expect(lines.filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(5));
      const all = lines.join('');
      expect(all).toContain('"reqId":"req-12345678"');
      for (const secret of [
        'Sup3r-secret-passphrase',
        start.authId,
        choice.authId,
        done.tokenId,
        'SecretSuspendId123456789',
        'AdminPw-should-not-appear',
      ]) {
        expect(all).not.toContain(secret);
      }
      expect(all).toContain('suspendedId=[Redacted]');
    } finally {
      await server.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-shutdown-'));
    const child = spawn('node', [CLI, 'serve', '--workers', '1'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        CAIRN_HOST: '127.0.0.1',
        CAIRN_DATA_DIR: dataDir,
        CAIRN_AUDIT_LOG: 'off',
        CAIRN_LOG_LEVEL: 'silent',
      },
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += String(d);
          const m = /listening on [^:]+:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

      // A request whose body is still on its way when the signal arrives.
      const body = '{}';
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((r) => socket.once('connect', () => r()));
      let response = '';
      socket.on('data', (d: Buffer) => (response += String(d)));
      socket.write(
        `POST /am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n{`,
      );
      await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));

      // No new connections are accepted meanwhile.
      const refused = await new Promise<boolean>((resolve) => {
        const probe = connect(port, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          resolve(false);
        });
        probe.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);

      socket.write(body.slice(1));
      await new Promise<void>((r) => socket.once('end', () => r()));
      expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(response).toContain('"authId"');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
