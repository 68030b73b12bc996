/**
 * What every `cairn` command module declares (name, summary, usage, sub-commands, run) and the
 * shared answers about usage: the help text of a command or sub-command, and the sentence for an
 * unknown sub-command.
 */

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Subcommand {
  name: string;
  /** One line for the command's list. */
  summary: string;
  /** The full usage: first line `Usage: cairn <command> <name> …`, then options and what it does. */
  usage: string;
}

export interface Command {
  name: string;
  summary: string;
  /** The command's own usage (its sub-commands are listed after it). */
  usage: string;
  subcommands?: readonly Subcommand[];
  run(args: string[], io: CommandIo): Promise<number>;
}

/** The help of a command, or of one of its sub-commands. */
export function helpText(command: Command, sub?: string): string {
  const found = sub === undefined ? undefined : command.subcommands?.find((s) => s.name === sub);
  if (found) return found.usage;
  const subs = command.subcommands ?? [];
  if (subs.length === 0) return command.usage;
  const width = Math.max(...subs.map((s) => s.name.length));
  const list = subs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n');
  return `${command.usage}\n\nSub-commands:\n${list}\n\nRun \`cairn ${command.name} <sub-command> --help\` for its options.`;
}

/** The answer to a missing or unknown sub-command: the known ones, exit 2. */
export function unknownSubcommand(command: Command, sub: string | undefined, io: CommandIo): number {
  const names = (command.subcommands ?? []).map((s) => s.name);
  io.err(
    sub
      ? `cairn ${command.name}: there is no sub-command "${sub}"; use one of: ${names.join(', ')}.`
      : `cairn ${command.name}: name a sub-command: ${names.join(', ')}.`,
  );
  io.err(`Run \`cairn ${command.name} --help\` for their options.`);
  return 2;
}
