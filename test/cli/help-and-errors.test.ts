/**
 * The `cairn` command line answers people: every command and sub-command prints its usage for
 * `--help` / `-h` (and `cairn help …`) with exit 0 and does nothing else — no store opened, no file
 * written, no server started; every refusal and usage mistake is a sentence, never a policy code or
 * a trace; the user commands print no outbox notice. In process through main(), and through
 * bin/cairn.js for the real command.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../src/cli/main.js';

const ROOT = join(import.meta.dirname, '..', '..');
const execFileP = promisify(execFile);

interface Ran {
  code: number;
  out: string;
  err: string;
}

let dir: string;
let env: Record<string, string>;

/** Runs `cairn …` in process, in an empty directory with its own data directory. */
async function cairn(...args: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs the real bin/cairn.js. */
async function bin(args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<Ran> {
  const child = execFileP('node', [join(ROOT, 'bin', 'cairn.js'), ...args], { cwd: dir, env: { ...process.env, ...env, ...extraEnv } });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

/** Every line a sentence: a capital or "cairn …:" prefix, words, a full stop; no CODE_LIKE_THIS, no stack. */
function expectSentences(text: string): void {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const message = line.replace(/^cairn( [a-z-]+)*: /, '');
    expect(message, line).toMatch(/^[-A-Za-z"`].*[.?]$/);
    expect(line, line).not.toMatch(/\b[A-Z]{2,}(_[A-Z]+)+\b/);
    expect(line, line).not.toMatch(/\bat .*\.[jt]s:\d+|Error:|\{"/);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-cli-'));
  env = {
    CAIRN_DATA_DIR: join(dir, 'data'),
    CAIRN_JOURNEYS_DIR: join(dir, 'journeys'),
    CAIRN_LOG_LEVEL: 'silent',
    CAIRN_AUDIT_LOG: 'off',
    PORT: '0',
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case runs the real command, a Node process each time: a loaded machine needs seconds per run.
describe('--help', { timeout: 120_000 }, () => {
  const cases = COMMANDS.flatMap((c) => [[c.name], ...(c.subcommands ?? []).map((s) => [c.name, s.name])]).map((words) => ({
    line: words.join(' '),
    words,
  }));

  it.each(cases)('cairn $line --help prints its usage, exits 0, and does nothing', async ({ words }) => {
    // Arguments that would make the command act, were --help not there.
    const acting = words.join(' ') === 'journeys schema' ? ['out.json'] : words.join(' ') === 'journeys import' ? ['export.json'] : [];
    for (const flag of ['--help', '-h']) {
      const r = await cairn(...words, ...acting, flag);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out.split('\n')[0]).toMatch(new RegExp(`^Usage: cairn ${words.join(' ')}\\b`));
    }
    // The same text for `cairn help …`.
    expect((await cairn('help', ...words)).out).toBe((await cairn(...words, '--help')).out);
    expect(await readdir(dir)).toEqual([]); // no data directory, no journey directory, no file
  });

  it('lists every sub-command in its command’s help, each with its own usage', async () => {
    for (const command of COMMANDS) {
      const text = (await cairn(command.name, '--help')).out;
      for (const sub of command.subcommands ?? []) {
        expect(text).toContain(`  ${sub.name}`);
        expect(sub.usage).toMatch(new RegExp(`^Usage: cairn ${command.name} ${sub.name}\\b`));
        expect(sub.usage.split('\n').length).toBeGreaterThan(2); // a sentence of what it does, not just the synopsis
      }
    }
  });

  it('through the real command: `cairn journeys import X --help` imports nothing, `cairn users create --help` creates nothing', async () => {
    await writeFile(join(dir, 'export.json'), '{"trees":{}}');
    const imported = await bin(['journeys', 'import', 'export.json', '--help']);
    expect(imported).toMatchObject({ code: 0, err: '' });
    expect(imported.out).toMatch(/^Usage: cairn journeys import/);
    const created = await bin(['users', 'create', '--help']);
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(created.out).toContain('Example:');
    const top = await bin(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toContain('Run `cairn <command> --help`');
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(existsSync(join(dir, 'journeys'))).toBe(false);
    await rm(join(dir, 'export.json'));
  });
});

describe('errors are sentences', { timeout: 120_000 }, () => {
  it('answers usage mistakes with a sentence and exit 2', async () => {
    for (const args of [
      ['frobnicate'],
      ['help', 'frobnicate'],
      ['users'],
      ['users', 'bogus'],
      ['users', 'create', '--userName', 'x'],
      ['users', 'create', '--userName', 'x', '--mail', 'x@example.com', '--colour', 'red'],
      ['users', 'import'],
      ['users', 'set-password'],
      ['journeys'],
      ['journeys', 'bogus'],
      ['journeys', 'validate'],
      ['config'],
      ['config', 'show', '--yaml'],
      ['serve', '--workers', 'many'],
    ]) {
      const r = await cairn(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expectSentences(
        r.err
          .split('\n')
          .filter((l) => !l.startsWith('Usage:') && !/^\s{2}|^Commands:|^$/.test(l))
          .join('\n'),
      );
    }
  });

  it(
    'ends `serve --workers 2` with exit 1 and the workers’ sentence when they cannot start, instead of waiting forever',
    { timeout: 60_000 },
    async () => {
      const missing = join(dir, 'no-such-journeys');
      const r = await bin(['serve', '--workers', '2'], undefined, { CAIRN_JOURNEYS_DIR: missing, CAIRN_HOST: '127.0.0.1' });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`The journeys directory ${missing} cannot be read (CAIRN_JOURNEYS_DIR).`);
      expect(r.err).toContain('a worker could not start (exit 1); stopping.');
      expect(r.err).not.toMatch(/\bat .*\.[jt]s:\d+|Error:/); // no trace
    },
  );

  it('says why a filter is not valid, pointing at the place', async () => {
    const r = await cairn('users', 'list', '--filter', 'mail eq');
    expect(r.code).toBe(2);
    const [sentence, filter, caret] = r.err.split('\n');
    expect(sentence).toBe("cairn users list: the filter is not valid: Expected a value after 'eq', found end of filter at position 7.");
    expect([filter, caret]).toEqual(['mail eq', '       ^']);
  });

  it('refuses users with sentences: a common password, a bad address, a taken name, an unknown user', async () => {
    const created = await cairn(
      'users',
      'create',
      '--userName',
      'bjensen',
      '--mail',
      'bjensen@example.com',
      '--password',
      'a long memorable passphrase',
    );
    expect(created).toMatchObject({ code: 0, out: expect.stringMatching(/^Created bjensen \(/) });
    const refusals: [string[], string][] = [
      [
        ['users', 'create', '--userName', 'x', '--mail', 'x@example.com', '--password', 'password1'],
        'The password was refused: This password is too common. Choose one that is harder to guess.',
      ],
      [
        ['users', 'create', '--userName', 'y', '--mail', 'not-an-address', '--password', 'a long memorable passphrase'],
        'The email address was refused: Enter a valid email address.',
      ],
      [
        ['users', 'create', '--userName', 'bjensen', '--mail', 'other@example.com', '--password', 'a long memorable passphrase'],
        'A user with the username "bjensen" already exists.',
      ],
      [
        ['users', 'create', '--userName', 'other', '--mail', 'BJENSEN@example.com', '--password', 'a long memorable passphrase'],
        'A user with the email address "BJENSEN@example.com" already exists.',
      ],
      [
        ['users', 'set-password', 'nobody', '--password', 'a long memorable passphrase'],
        'There is no user with the username or email address "nobody".',
      ],
      [
        ['users', 'set-password', 'bjensen', '--password', 'short'],
        'The password was refused: Must be at least 8 characters long. This password is too common. Choose one that is harder to guess.',
      ],
    ];
    for (const [args, sentence] of refusals) {
      const r = await cairn(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.replace(/^cairn [a-z -]+: /, '').replace(/^there/, 'There')).toBe(sentence);
      expectSentences(r.err);
    }
    await writeFile(
      join(dir, 'users.ndjson'),
      '{"userName":"a","mail":"a@example.com","password":"password1"}\n{"userName":"bjensen","mail":"q@example.com"}\n{"mail":"z@example.com"}\n',
    );
    const imported = await cairn('users', 'import', 'users.ndjson');
    expect(imported.code).toBe(1);
    expect(imported.err.split('\n')).toEqual([
      'cairn users import: users.ndjson: line 1: The password was refused: This password is too common. Choose one that is harder to guess.',
      'cairn users import: users.ndjson: line 2: a user with the username "bjensen" already exists.',
      'cairn users import: users.ndjson: line 3: the username (userName) is missing.',
      'cairn users import: nothing was imported (3 problems).',
    ]);
    expectSentences(imported.err);
    await rm(join(dir, 'users.ndjson'));
    await rm(join(dir, 'data'), { recursive: true, force: true });
  });

  it('prints no outbox notice from the user commands; set-password says where its e-mail went', async () => {
    const created = await bin(['users', 'create', '--userName', 'quiet', '--mail', 'quiet@example.com'], 'a long memorable passphrase\n');
    expect(created.code).toBe(0);
    expect(created.err).toBe('');
    const listed = await bin(['users', 'list']);
    expect(listed).toMatchObject({ code: 0, err: '' });
    expect(listed.out).toContain('quiet');
    const changed = await bin(['users', 'set-password', 'quiet'], 'another long memorable passphrase\n');
    expect(changed.code).toBe(0);
    expect(changed.err).not.toMatch(/no SMTP server configured/);
    expect(changed.err).toMatch(/passwordChanged to quiet@example\.com written to .*outbox/);
    await rm(join(dir, 'data'), { recursive: true, force: true });
  });
});
