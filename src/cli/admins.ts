/**
 * `cairn admins create|list|set-password|remove`: administrator identities (src/admin/admins.ts),
 * apart from end users. The first one can also come from CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD
 * on a start. Passwords come from a flag or standard input and are never echoed.
 */
import { CairnError } from '../errors/cairn-error.js';
import { ROLES } from '../admin/roles.js';
import type { Command, CommandIo } from './main.js';
import { parseFlags, passwordFrom, withCore, type Flags } from './users.js';

const HELP = `Usage:
  cairn admins create NAME [--roles admin,...] [--password P | --password-stdin]
  cairn admins list [--json]
  cairn admins set-password NAME [--password P | --password-stdin]
  cairn admins remove NAME

Roles: ${Object.entries(ROLES)
  .map(([r, what]) => `${r} (${what})`)
  .join('; ')}
Without --password, the password is read from standard input (one line).`;

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
    io.err(`cairn admins ${sub}: the administrator's name is missing.\n${HELP}`);
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
    io.err(`cairn admins ${sub}: a password is needed.`);
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
  summary: 'manage administrator identities (create, list, set-password, remove)',
  async run(args, io) {
    const [sub, ...rest] = args;
    const flags = parseFlags(rest);
    if (!sub || sub === '--help' || (typeof flags !== 'string' && flags.bools.has('help'))) {
      io.out(HELP);
      return sub ? 0 : 2;
    }
    if (typeof flags === 'string') {
      io.err(`cairn admins: ${flags}`);
      return 2;
    }
    if (!['create', 'list', 'set-password', 'remove'].includes(sub)) {
      io.err(`cairn admins: unknown subcommand "${sub}".\n${HELP}`);
      return 2;
    }
    return run(sub, flags, io);
  },
};
