/**
 * The `cairn` command line: a table of commands, each a small module. Every command returns an
 * exit code; bad usage and bad input are answered with a message naming the problem, never a trace.
 */
import { adminsCommand } from './admins.js';
import { configCommand } from './config.js';
import { journeysCommand } from './journeys.js';
import { serveCommand } from './serve.js';
import { usersCommand } from './users.js';

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

const COMMANDS: readonly Command[] = [serveCommand, journeysCommand, usersCommand, adminsCommand, configCommand];

function usage(io: CommandIo): void {
  io.out('Usage: cairn <command> [options]\n');
  io.out('Commands:');
  for (const c of COMMANDS) io.out(`  ${c.name.padEnd(10)} ${c.summary}`);
  io.out('\nRun `cairn <command> --help` for the options of a command.');
}

export async function main(argv: string[], io?: Partial<CommandIo>): Promise<number> {
  const full: CommandIo = {
    out: io?.out ?? ((l) => process.stdout.write(l + '\n')),
    err: io?.err ?? ((l) => process.stderr.write(l + '\n')),
    env: io?.env ?? process.env,
    cwd: io?.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    usage(full);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    full.err(`cairn: unknown command "${name}".`);
    usage(full);
    return 2;
  }
  try {
    return await command.run(rest, full);
  } catch (e) {
    full.err(`cairn ${name}: ${(e as Error).message}`);
    return 1;
  }
}
