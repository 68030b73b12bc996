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
import { unknownSubcommand, type Command, type CommandIo, type Subcommand } from './command.js';
import type { PolicyFailure } from '../i18n/policies.js';
import { attributeName, refusalSentence } from './sentences.js';
import { importUsersFile } from './users-import.js';

const PASSWORD_INPUT = `The password: --password P, or one line on standard input (a pipe, or typed and ended with
Ctrl-D); --password-stdin says to read it even from a terminal. It is never echoed.`;
const REALM_OPTION = `--realm NAME: the users of a realm declared in CAIRN_REALMS (managed/NAME_user); default: the
root realm (managed/user).`;

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'create',
    summary: 'Create a user (password from standard input).',
    usage: `Usage: cairn users create --userName NAME --mail ADDRESS [--givenName G] [--sn S] [--password P | --password-stdin] [--realm NAME]

Creates a user in the configured store (the embedded one under CAIRN_DATA_DIR, PostgreSQL or MongoDB),
checked against config/managed.json and the password policy.

${PASSWORD_INPUT}

${REALM_OPTION}

Example:
  echo 'a long memorable passphrase' | cairn users create --userName bjensen --mail bjensen@example.com --givenName Barbara --sn Jensen`,
  },
  {
    name: 'import',
    summary: 'Import users from a JSON array or NDJSON file; all or nothing.',
    usage: `Usage: cairn users import FILE [--realm NAME]

Imports users from FILE: a JSON array of user objects, or one JSON object per line (NDJSON), read as
a stream (millions of users fit). Every record is checked first (required attributes, duplicates in
the file and in the store, the password policy); if any is refused, nothing is imported and the
problems are printed with their lines.

Each user has a clear password, or an existing hash: passwordHash, DS's userPassword, or IDM's
$crypto salted hash ({SSHA*}, {PBKDF2*}, {BCRYPT}, $2b$…), verified at sign-in and rehashed then.

${REALM_OPTION}`,
  },
  {
    name: 'list',
    summary: 'List users, optionally filtered.',
    usage: `Usage: cairn users list [--filter 'QUERY'] [--json] [--realm NAME]

Lists users sorted by userName: userName, mail, name and status.

Options:
  --filter QUERY   a CREST query filter, e.g. 'mail sw "b"' or 'accountStatus eq "inactive"'
  --json           the users as JSON (never their password hashes)
  --realm NAME     the users of a realm declared in CAIRN_REALMS (default: the root realm)`,
  },
  {
    name: 'set-password',
    summary: "Set a user's password; ends their sessions.",
    usage: `Usage: cairn users set-password NAME [--password P | --password-stdin] [--realm NAME]

Sets the password of the user whose userName or mail is NAME, checked against the password policy;
every session of the user ends and a "password changed" e-mail is sent.

${PASSWORD_INPUT}

${REALM_OPTION}`,
  },
];

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

/** A policy or store refusal as sentences a person can act on. */
function describeRefusal(e: unknown): string[] {
  if (e instanceof CairnError) {
    const failed = e.detail?.failedPolicyRequirements as { property: string; policyRequirements: PolicyFailure[] }[] | undefined;
    if (failed?.length) return failed.map((f) => refusalSentence(f.property, f.policyRequirements));
    if (e.expose) return [e.message];
  }
  throw e;
}

/** Runs `fn` on a composed core (no journeys loaded) and closes it after. */
export async function withCore<T>(io: CommandIo, fn: (core: Core) => Promise<T>): Promise<T> {
  const settings = loadSettings(io.env, io.cwd);
  // No outbox notice: these commands send no e-mail but set-password's, which says where it went.
  const core = await compose(settings, { withoutJourneys: true, quietMail: true, log: io.err, audit: () => {} });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/** The unique attributes (userName, mail) another user already has, as sentences. */
async function takenBy(core: Core, resource: string, user: Record<string, unknown>): Promise<string[]> {
  const taken: string[] = [];
  for (const key of core.schema.uniqueProperties(resource)) {
    const value = user[key];
    if (typeof value === 'string' && value !== '' && (await core.identity.findByAttribute(resource, key, value)))
      taken.push(`A user with the ${attributeName(key)} "${value}" already exists.`);
  }
  return taken;
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
      io.err(`cairn users create: there is no option --${f}; see \`cairn users create --help\`.`);
      return 2;
    }
  }
  if (!attrs.userName || !attrs.mail) {
    const missing = ['userName', 'mail'].filter((f) => !attrs[f]).map((f) => `--${f}`);
    io.err(`cairn users create: give the new user's ${missing.join(' and ')}; see \`cairn users create --help\`.`);
    return 2;
  }
  const password = await passwordFrom(flags, io);
  if (password !== undefined) attrs.password = password;
  return withRealmCore(io, flags, 'create', async (core, resource) => {
    const taken = await takenBy(core, resource, attrs);
    if (taken.length > 0) {
      for (const line of taken) io.err(`cairn users create: ${line}`);
      return 1;
    }
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
    io.err('cairn users import: name the file to import; see `cairn users import --help`.');
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
      io.err(`cairn users list: the filter is not valid: ${e.message.replace(/\.?$/, '.')}\n${e.detail}`);
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
    io.err('cairn users set-password: name the user (their username or email address); see `cairn users set-password --help`.');
    return 2;
  }
  const password = await passwordFrom(flags, io);
  if (!password) {
    io.err('cairn users set-password: no password was given (--password P, or one line on standard input).');
    return 2;
  }
  return withRealmCore(io, flags, 'set-password', async (core, resource) => {
    const user = await core.identity.findUser(resource, name);
    if (!user) {
      io.err(`cairn users set-password: there is no user with the username or email address "${name}".`);
      return 1;
    }
    const r = await core.identity.update(resource, user._id, { password });
    if ('message' in r && !('_id' in r)) {
      io.err(`cairn users set-password: ${r.failedPolicies?.length ? refusalSentence('password', r.failedPolicies) : r.message}`);
      return 1;
    }
    io.out(`Password of ${String(user.userName)} changed; their sessions were ended.`);
    return 0;
  });
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'Create, import, list users and set passwords.',
  usage:
    'Usage: cairn users <sub-command> [options]\n\nManages the users (managed/user) in the configured store: the embedded one under CAIRN_DATA_DIR, or MongoDB.',
  subcommands: SUBCOMMANDS,
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
      default:
        return unknownSubcommand(usersCommand, sub, io);
    }
  },
};
