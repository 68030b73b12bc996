/**
 * The `cairn` command line: a table of commands, each a small module with its sub-commands. Every
 * command returns an exit code; bad usage and bad input are answered with a sentence naming the
 * problem, never a trace. `--help` (or `-h`) anywhere on a command line prints that command's or
 * sub-command's usage and exits 0 without doing anything; `cairn help <command> [<sub-command>]` too.
 */
import { adminsCommand } from './admins.js';
import { helpText, type Command, type CommandIo } from './command.js';
import { configCommand } from './config.js';
import { journeysCommand } from './journeys.js';
import { serveCommand } from './serve.js';
import { usersCommand } from './users.js';

export type { Command, CommandIo, Subcommand } from './command.js';

export const COMMANDS: readonly Command[] = [serveCommand, journeysCommand, usersCommand, adminsCommand, configCommand];

const HELP_FLAGS = new Set(['--help', '-h']);

function usage(io: CommandIo): void {
  io.out('Usage: cairn <command> [options]\n');
  io.out('Commands:');
  for (const c of COMMANDS) io.out(`  ${c.name.padEnd(10)} ${c.summary}`);
  io.out('\nRun `cairn <command> --help` for the options of a command.');
}

/** `--help` / `-h` before a `--` that ends the options. */
const asksForHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => HELP_FLAGS.has(a));
};

export async function main(argv: string[], io?: Partial<CommandIo>): Promise<number> {
  const full: CommandIo = {
    out: io?.out ?? ((l) => process.stdout.write(l + '\n')),
    err: io?.err ?? ((l) => process.stderr.write(l + '\n')),
    env: io?.env ?? process.env,
    cwd: io?.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (!name || HELP_FLAGS.has(name)) {
    usage(full);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const [target, sub] = rest;
    const command = COMMANDS.find((c) => c.name === target);
    if (target === undefined) usage(full);
    else if (!command) {
      full.err(`cairn help: there is no command "${target}".`);
      usage(full);
      return 2;
    } else full.out(helpText(command, sub));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    full.err(`cairn: there is no command "${name}".`);
    usage(full);
    return 2;
  }
  if (asksForHelp(rest)) {
    const sub = rest.find((a) => !a.startsWith('-'));
    full.out(helpText(command, sub));
    return 0;
  }
  try {
    return await command.run(rest, full);
  } catch (e) {
    full.err(`cairn ${name}: ${(e as Error).message}`);
    return 1;
  }
}
