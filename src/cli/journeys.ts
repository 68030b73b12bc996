/**
 * `cairn journeys validate <file|dir>...` checks journey files and prints every problem with its file
 * and JSON pointer (exit 1 on any error); `cairn journeys schema [file]` writes the editor schema.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createNodeRegistry, NODE_DESCRIPTORS } from '../nodes/index.js';
import { readJourneyDir } from '../journeys/catalog.js';
import { editorSchema } from '../journeys/schema.js';
import { formatProblems, validateJourneys, type JourneyInput } from '../journeys/validate.js';
import type { Command, CommandIo } from './main.js';

const HELP = `Usage:
  cairn journeys validate <file|dir>...   Check journey files; exit 1 on any error.
  cairn journeys schema [out-file]        Print (or write) the JSON Schema of journey files.`;

async function collect(paths: string[], io: CommandIo): Promise<{ inputs: JourneyInput[]; known: Set<string> } | undefined> {
  const inputs: JourneyInput[] = [];
  const known = new Set<string>();
  for (const p of paths) {
    const full = resolve(io.cwd, p);
    let info;
    try {
      info = await stat(full);
    } catch {
      io.err(`cairn journeys validate: ${p}: no such file or directory.`);
      return undefined;
    }
    if (info.isDirectory()) {
      inputs.push(...(await readJourneyDir(full)));
    } else {
      inputs.push({ file: full, text: await readFile(full, 'utf8') });
      // Inner-tree references of a single file resolve against the journeys beside it.
      for (const sibling of await readJourneyDir(dirname(full))) {
        if (basename(sibling.file) === basename(full)) continue;
        try {
          const id = (JSON.parse(sibling.text ?? '') as { _id?: unknown })._id;
          if (typeof id === 'string') known.add(id);
        } catch {
          /* a broken sibling is its own problem, reported when it is validated */
        }
      }
    }
  }
  return { inputs, known };
}

async function validate(args: string[], io: CommandIo): Promise<number> {
  if (args.length === 0) {
    io.err('cairn journeys validate: name at least one journey file or directory.');
    return 2;
  }
  const found = await collect(args, io);
  if (!found) return 2;
  if (found.inputs.length === 0) {
    io.err(`cairn journeys validate: no journey files (*.json) in ${args.join(', ')}.`);
    return 1;
  }
  const { problems, journeys } = validateJourneys(found.inputs, createNodeRegistry(), { knownJourneys: found.known });
  for (const line of formatProblems(problems)) io.out(line);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const files = found.inputs.length;
  io.out(
    `${files} file${files === 1 ? '' : 's'} checked: ${journeys.size} valid, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`,
  );
  return errors > 0 ? 1 : 0;
}

async function schema(args: string[], io: CommandIo): Promise<number> {
  const text = JSON.stringify(editorSchema(NODE_DESCRIPTORS), null, 2) + '\n';
  if (args[0]) {
    await writeFile(resolve(io.cwd, args[0]), text);
    io.out(`Wrote ${args[0]}.`);
  } else {
    io.out(text.trimEnd());
  }
  return 0;
}

export const journeysCommand: Command = {
  name: 'journeys',
  summary: 'Validate journey files, print their schema.',
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'validate') return validate(rest, io);
    if (sub === 'schema') return schema(rest, io);
    if (sub === '--help' || sub === '-h') {
      io.out(HELP);
      return 0;
    }
    io.err(sub ? `cairn journeys: unknown subcommand "${sub}".` : 'cairn journeys: a subcommand is needed.');
    io.err(HELP);
    return 2;
  },
};
