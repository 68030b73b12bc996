/**
 * `cairn admins create|list|set-password|remove`: administrator identities (src/admin/admins.ts),
 * apart from end users. The first one can also come from CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD
 * on a start. Passwords come from a flag or standard input and are never echoed.
 */
import { CairnError } from '../errors/cairn-error.js';
import { ROLES } from '../admin/roles.js';
import { unknownSubcommand, type Command, type CommandIo, type Subcommand } from './command.js';
import { parseFlags, passwordFrom, withCore, type Flags } from './users.js';

const PASSWORD_INPUT = `The password: --password P, or one line on standard input (a pipe, or typed and ended with
Ctrl-D); --password-stdin says to read it even from a terminal. It is never echoed.`;
const ROLE_LIST = Object.entries(ROLES)
  .map(([r, what]) => `${r} (${what})`)
  .join('; ');

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'create',
    summary: 'Create an administrator (password from standard input).',
    usage: `Usage: cairn admins create NAME [--roles admin,...] [--password P | --password-stdin]

Creates an administrator identity, apart from end users: it signs in through the administrators'
journey (AM's authenticate with X-OpenAM-Username / -Password, as frodo does) and the admin APIs.

Roles: ${ROLE_LIST}; default: admin.

${PASSWORD_INPUT}`,
  },
  {
    name: 'list',
    summary: 'List administrators and their roles.',
    usage: `Usage: cairn admins list [--json]

Lists administrators: name and roles (--json: as JSON, never their password hashes).`,
  },
  {
    name: 'set-password',
    summary: "Set an administrator's password.",
    usage: `Usage: cairn admins set-password NAME [--password P | --password-stdin]

${PASSWORD_INPUT}`,
  },
  {
    name: 'remove',
    summary: 'Remove an administrator.',
    usage: `Usage: cairn admins remove NAME

Removes the administrator NAME: they can no longer sign in.`,
  },
];

async function refusalsAsExit(io: CommandIo, what: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CairnError && e.expose) {
      io.err(`cairn admins ${what}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function run(sub: string, flags: Flags, io: CommandIo): Promise<number> {
  const name = flags.rest[0];
  if (sub === 'list') {
    return withCore(io, async (core) => {
      const admins = await core.admins.list();
      if (flags.bools.has('json')) io.out(JSON.stringify(admins, null, 2));
      else for (const a of admins) io.out(`${a.userName}\t${a.roles.join(',')}`);
      return 0;
    });
  }
  if (!name) {
    io.err(`cairn admins ${sub}: name the administrator; see \`cairn admins ${sub} --help\`.`);
    return 2;
  }
  if (sub === 'remove') {
    return withCore(io, async (core) => {
      if (await core.admins.remove(name)) {
        io.out(`Removed ${name}.`);
        return 0;
      }
      io.err(`cairn admins remove: there is no administrator ${name}.`);
      return 1;
    });
  }
  const password = await passwordFrom(flags, io);
  if (password === undefined) {
    io.err(`cairn admins ${sub}: no password was given (--password P, or one line on standard input).`);
    return 2;
  }
  return withCore(io, (core) =>
    refusalsAsExit(io, sub, async () => {
      if (sub === 'create') {
        const roles = (flags.values.roles ?? 'admin').split(',').map((r) => r.trim());
        const admin = await core.admins.create(name, password, roles);
        io.out(`Created administrator ${admin.userName} (${admin.roles.join(', ')}).`);
      } else {
        await core.admins.setPassword(name, password);
        io.out(`Changed the password of ${name}.`);
      }
      return 0;
    }),
  );
}

export const adminsCommand: Command = {
  name: 'admins',
  summary: 'Manage administrator identities (create, list, set-password, remove).',
  usage: 'Usage: cairn admins <sub-command> [options]\n\nAdministrator identities, apart from end users, for the admin APIs and frodo.',
  subcommands: SUBCOMMANDS,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (!sub || !SUBCOMMANDS.some((c) => c.name === sub)) return unknownSubcommand(adminsCommand, sub, io);
    const flags = parseFlags(rest);
    if (typeof flags === 'string') {
      io.err(`cairn admins ${sub}: ${flags}`);
      return 2;
    }
    return run(sub, flags, io);
  },
};
