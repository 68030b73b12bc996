/**
 * `cairn users create|import|list|set-password [--realm NAME]`: manage users in the configured store (embedded,
 * PostgreSQL or MongoDB) from the command line. Passwords come from a flag or standard input and are never
 * echoed; an import checks every record first and writes nothing unless all of them are valid.
 */
import { resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { CairnError } from '../errors/cairn-error.js';
import { parseQueryFilter, QueryFilterError } from '../crest/query-filter.js';
import { compose, type Core } from '../server/compose.js';
import { ROOT_REALM_NAME } from '../realms/realms.js';
import type { Command, CommandIo } from './main.js';
import { importUsersFile } from './users-import.js';

const HELP = `Usage:
  cairn users create --userName NAME --mail ADDRESS [--givenName G] [--sn S] [--password P | --password-stdin]
  cairn users import FILE            JSON array or NDJSON of users; all or nothing. Each user has a
                                     clear password, or an existing hash (passwordHash, DS userPassword,
                                     IDM's $crypto salted hash; {SSHA*}, {PBKDF2*}, {BCRYPT}, $2b$…)
  cairn users list [--filter 'QUERY'] [--json]
  cairn users set-password NAME [--password P | --password-stdin]

Every command takes --realm NAME: the users of a realm declared in CAIRN_REALMS (managed/NAME_user);
default: the root realm (managed/user).
Without --password, the password is read from standard input (one line).`;

export interface Flags {
  values: Record<string, string>;
  bools: Set<string>;
  rest: string[];
}

const BOOLEAN_FLAGS = new Set(['password-stdin', 'json', 'help']);

export function parseFlags(args: string[]): Flags | string {
  const values: Record<string, string> = {};
  const bools = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (BOOLEAN_FLAGS.has(name)) {
      bools.add(name);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return `--${name} needs a value.`;
    values[name] = value;
  }
  return { values, bools, rest };
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function passwordFrom(flags: Flags, io: CommandIo): Promise<string | undefined> {
  if (flags.values.password !== undefined) return flags.values.password;
  if (process.stdin.isTTY && !flags.bools.has('password-stdin')) {
    io.err('Type the password and press Ctrl-D (or pass --password-stdin with a pipe):');
  }
  const line = await readStdinLine();
  return line === '' ? undefined : line;
}

/** A policy or store refusal as lines a person can act on. */
function describeRefusal(e: unknown): string[] {
  if (e instanceof CairnError) {
    const failed = e.detail?.failedPolicyRequirements as
      { property: string; policyRequirements: { policyRequirement: string; params?: unknown }[] }[] | undefined;
    if (failed?.length) {
      return failed.map(
        (f) => `${f.property}: ${f.policyRequirements.map((p) => p.policyRequirement + (p.params ? ` ${JSON.stringify(p.params)}` : '')).join(', ')}`,
      );
    }
    if (e.expose) return [e.message];
  }
  throw e;
}

/** Runs `fn` on a composed core (no journeys loaded) and closes it after. */
export async function withCore<T>(io: CommandIo, fn: (core: Core) => Promise<T>): Promise<T> {
  const settings = loadSettings(io.env, io.cwd);
  const core = await compose(settings, { withoutJourneys: true, log: io.err, audit: () => {} });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/** Runs `fn` on a composed core with the identity resource of `--realm` (root's by default). */
async function withRealmCore(io: CommandIo, flags: Flags, command: string, fn: (core: Core, resource: string) => Promise<number>): Promise<number> {
  const settings = loadSettings(io.env, io.cwd);
  const name = flags.values.realm ?? ROOT_REALM_NAME;
  if (name !== ROOT_REALM_NAME && !settings.realms.includes(name)) {
    io.err(`cairn users ${command}: the realm "${name}" is not declared (CAIRN_REALMS: ${settings.realms.join(', ') || 'none'}).`);
    return 2;
  }
  return withCore(io, (core) => fn(core, (core.realms.get(name) as NonNullable<ReturnType<Core['realms']['get']>>).spec.identityResource));
}

const USER_FIELDS = ['userName', 'mail', 'givenName', 'sn'] as const;

async function create(flags: Flags, io: CommandIo): Promise<number> {
  const attrs: Record<string, unknown> = {};
  for (const f of USER_FIELDS) if (flags.values[f] !== undefined) attrs[f] = flags.values[f];
  for (const f of Object.keys(flags.values)) {
    if (![...USER_FIELDS, 'password', 'realm'].includes(f)) {
      io.err(`cairn users create: unknown option --${f}.`);
      return 2;
    }
  }
  if (!attrs.userName || !attrs.mail) {
    io.err('cairn users create: --userName and --mail are required.');
    return 2;
  }
  const password = await passwordFrom(flags, io);
  if (password !== undefined) attrs.password = password;
  return withRealmCore(io, flags, 'create', async (core, resource) => {
    try {
      const user = await core.identity.createObject(resource, attrs);
      io.out(`Created ${String(user.userName)} (${user._id}).`);
      return 0;
    } catch (e) {
      for (const line of describeRefusal(e)) io.err(`cairn users create: ${line}`);
      return 1;
    }
  });
}

async function importUsers(flags: Flags, io: CommandIo): Promise<number> {
  const file = flags.rest[0];
  if (!file) {
    io.err('cairn users import: name the file to import.');
    return 2;
  }
  const progress = process.stderr.isTTY ? (line: string): void => void process.stderr.write(line) : undefined;
  return withRealmCore(io, flags, 'import', (core, resource) =>
    importUsersFile(core, resource, resolve(io.cwd, file), file, { ...io, progress, describe: describeRefusal }),
  );
}

async function list(flags: Flags, io: CommandIo): Promise<number> {
  let filter;
  try {
    filter = parseQueryFilter(flags.values.filter ?? 'true');
  } catch (e) {
    if (e instanceof QueryFilterError) {
      io.err(`cairn users list: ${e.message}\n${e.detail}`);
      return 2;
    }
    throw e;
  }
  return withRealmCore(io, flags, 'list', async (core, resource) => {
    const users = [];
    let cookie: string | undefined;
    do {
      const page = await core.identity.queryObjects(resource, filter, {
        pageSize: 500,
        ...(cookie ? { pagedResultsCookie: cookie } : {}),
        sortKeys: ['userName'],
      });
      users.push(...page.result);
      cookie = page.pagedResultsCookie ?? undefined;
    } while (cookie);
    if (flags.bools.has('json')) {
      io.out(JSON.stringify(users, null, 2));
      return 0;
    }
    const rows = users.map((u) => [
      String(u.userName ?? ''),
      String(u.mail ?? ''),
      `${String(u.givenName ?? '')} ${String(u.sn ?? '')}`.trim(),
      String(u.accountStatus ?? ''),
    ]);
    const head = ['userName', 'mail', 'name', 'status'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    for (const r of [head, ...rows])
      io.out(
        r
          .map((c, i) => c.padEnd(widths[i] as number))
          .join('  ')
          .trimEnd(),
      );
    io.out(`${users.length} user${users.length === 1 ? '' : 's'}.`);
    return 0;
  });
}

async function setPassword(flags: Flags, io: CommandIo): Promise<number> {
  const name = flags.rest[0];
  if (!name) {
    io.err('cairn users set-password: name the user (userName or mail).');
    return 2;
  }
  const password = await passwordFrom(flags, io);
  if (!password) {
    io.err('cairn users set-password: no password given.');
    return 2;
  }
  return withRealmCore(io, flags, 'set-password', async (core, resource) => {
    const user = await core.identity.findUser(resource, name);
    if (!user) {
      io.err(`cairn users set-password: no user "${name}".`);
      return 1;
    }
    const r = await core.identity.update(resource, user._id, { password });
    if ('message' in r && !('_id' in r)) {
      io.err(
        `cairn users set-password: ${r.message}${r.failedPolicies?.length ? ': ' + r.failedPolicies.map((f) => f.policyRequirement).join(', ') : ''}`,
      );
      return 1;
    }
    io.out(`Password of ${String(user.userName)} changed; their sessions were ended.`);
    return 0;
  });
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'Create, import, list users and set passwords.',
  async run(args, io) {
    const [sub, ...rest] = args;
    const flags = parseFlags(rest);
    if (typeof flags === 'string') {
      io.err(`cairn users ${sub ?? ''}: ${flags}`);
      return 2;
    }
    switch (sub) {
      case 'create':
        return create(flags, io);
      case 'import':
        return importUsers(flags, io);
      case 'list':
        return list(flags, io);
      case 'set-password':
        return setPassword(flags, io);
      case '--help':
      case '-h':
      case 'help':
        io.out(HELP);
        return 0;
      default:
        io.err(sub ? `cairn users: unknown subcommand "${sub}".` : 'cairn users: a subcommand is needed.');
        io.err(HELP);
        return 2;
    }
  },
};
