/**
 * `cairn journeys validate <file|dir>...` checks journey files and prints every problem with its file
 * and JSON pointer (exit 1 on any error); `cairn journeys schema [file]` writes the editor schema.
 */
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { isCairnError } from '../errors/cairn-error.js';
import { exportAmJourneys } from '../journeys/export-am.js';
import { importAmExport } from '../journeys/import-am.js';
import { mermaidOf } from '../journeys/diagram.js';
import type { Journey } from '../journeys/model.js';
import { createNodeRegistry, NODE_DESCRIPTORS } from '../nodes/index.js';
import { readJourneyDir } from '../journeys/catalog.js';
import { editorSchema } from '../journeys/schema.js';
import { formatProblems, validateJourneys, type JourneyInput } from '../journeys/validate.js';
import type { Command, CommandIo } from './main.js';

const HELP = `Usage:
  cairn journeys validate <file|dir>...   Check journey files; exit 1 on any error.
  cairn journeys import <export.json> [--out dir] [--readable-ids] [--force] [--identity-resource managed/user]
                                          Convert an AM / PingOne AIC export (frodo or REST) into
                                          journey files, validate them, and write them (default: CAIRN_JOURNEYS_DIR).
  cairn journeys export <file>...         Print the journeys as a frodo export, for AM / AIC.
  cairn journeys diagram <file>...        Print each journey as a Mermaid flowchart (Markdown).
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

async function importCommand(args: string[], io: CommandIo): Promise<number> {
  const files = args.filter((a) => !a.startsWith('--'));
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
  const resourceFlag = args.indexOf('--identity-resource') >= 0 ? args[args.indexOf('--identity-resource') + 1] : undefined;
  const input = files.filter((f) => f !== out && f !== resourceFlag)[0];
  if (!input) {
    io.err('cairn journeys import: name the export file.');
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(resolve(io.cwd, input), 'utf8'));
  } catch (e) {
    io.err(
      `cairn journeys import: ${input}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`}.`,
    );
    return 1;
  }
  let result;
  try {
    result = importAmExport(json, { keepAmIds: !args.includes('--readable-ids') });
  } catch (e) {
    if (isCairnError(e)) {
      io.err(`cairn journeys import: ${input}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  for (const w of result.warnings) io.err(`warning: ${w}`);
  // AIC names managed objects per realm (managed/alpha_user); Cairn has one realm.
  const resIndex = args.indexOf('--identity-resource');
  const target = resIndex >= 0 ? args[resIndex + 1] : 'managed/user';
  const realmResource = /^managed\/[a-z0-9]+_(user)$/;
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string' && realmResource.test(v) && v !== target) return target;
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };
  result.journeys = result.journeys.map((j) => {
    const mapped = rewrite(j) as Journey;
    if (JSON.stringify(mapped) !== JSON.stringify(j))
      io.err(`warning: journey '${j._id}': realm-specific managed objects mapped to ${target} (--identity-resource to choose).`);
    return mapped;
  });
  const dir = out ? resolve(io.cwd, out) : loadSettings(io.env, io.cwd).journeysDir;
  await mkdir(dir, { recursive: true });
  const schemaRef = relative(dir, resolve(dirname(new URL(import.meta.url).pathname), '../../schemas/journey.schema.json'));
  const planned = result.journeys.map((j) => ({ file: join(dir, `${j._id}.json`), journey: { $schema: schemaRef, ...j } as Journey }));
  if (!args.includes('--force')) {
    for (const p of planned) {
      const exists = await access(p.file).then(
        () => true,
        () => false,
      );
      if (exists) {
        io.err(`cairn journeys import: ${p.file} exists; use --force to replace it.`);
        return 1;
      }
    }
  }
  // Validate the imported journeys with the ones already in the directory before writing anything.
  const existing = (await readJourneyDir(dir).catch(() => [])).filter((i) => !planned.some((p) => p.file === i.file));
  const { problems } = validateJourneys([...existing, ...planned.map((p) => ({ file: p.file, json: p.journey }))], createNodeRegistry());
  const mine = problems.filter((p) => planned.some((q) => q.file === p.file));
  for (const line of formatProblems(mine)) io.err(line);
  if (mine.some((p) => p.severity === 'error')) {
    io.err('cairn journeys import: nothing was written; the imported journeys have errors (above).');
    return 1;
  }
  for (const p of planned) await writeFile(p.file, JSON.stringify(p.journey, null, 2) + '\n');
  io.out(`Imported ${planned.length} journey${planned.length === 1 ? '' : 's'} into ${dir}: ${planned.map((p) => p.journey._id).join(', ')}.`);
  return 0;
}

async function exportCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.length === 0) {
    io.err('cairn journeys export: name at least one journey file.');
    return 2;
  }
  const found = await collect(args, io);
  if (!found) return 2;
  const { problems, journeys } = validateJourneys(found.inputs, createNodeRegistry(), { knownJourneys: found.known });
  if (problems.some((p) => p.severity === 'error')) {
    for (const line of formatProblems(problems)) io.err(line);
    return 1;
  }
  io.out(JSON.stringify(exportAmJourneys([...journeys.values()].map((j) => j.source)), null, 2));
  return 0;
}

async function diagramCommand(args: string[], io: CommandIo): Promise<number> {
  const found = args.length ? await collect(args, io) : undefined;
  if (!found) {
    if (!args.length) io.err('cairn journeys diagram: name at least one journey file or directory.');
    return 2;
  }
  const { problems, journeys } = validateJourneys(found.inputs, createNodeRegistry(), { knownJourneys: found.known });
  for (const line of formatProblems(problems.filter((p) => p.severity === 'error'))) io.err(line);
  for (const j of [...journeys.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    io.out(`## ${j.id}\n\n${j.source.description ?? ''}\n\n\`\`\`mermaid\n${mermaidOf(j.source)}\n\`\`\`\n`);
  }
  return problems.some((p) => p.severity === 'error') ? 1 : 0;
}

export const journeysCommand: Command = {
  name: 'journeys',
  summary: 'Validate journey files, print their schema.',
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'validate') return validate(rest, io);
    if (sub === 'schema') return schema(rest, io);
    if (sub === 'import') return importCommand(rest, io);
    if (sub === 'export') return exportCommand(rest, io);
    if (sub === 'diagram') return diagramCommand(rest, io);
    if (sub === '--help' || sub === '-h') {
      io.out(HELP);
      return 0;
    }
    io.err(sub ? `cairn journeys: unknown subcommand "${sub}".` : 'cairn journeys: a subcommand is needed.');
    io.err(HELP);
    return 2;
  },
};
