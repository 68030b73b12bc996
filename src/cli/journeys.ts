/**
 * `cairn journeys validate <file|dir>...` checks journey files and prints every problem with its file
 * and JSON pointer (exit 1 on any error); `import` converts AM exports journey by journey and prints
 * each journey's result; `export` gives journeys back to AM as a frodo export; `diagram` draws them in
 * Mermaid; `schema [file]` writes the editor schema. Each sub-command's usage is in SUBCOMMANDS (--help).
 */
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { isCairnError } from '../errors/cairn-error.js';
import { exportAmJourneys } from '../journeys/export-am.js';
import { importAm } from '../journeys/import-am.js';
import { normaliseRealm } from '../journeys/import-sources.js';
import { ImportReadError, readImportSources } from '../journeys/import-files.js';
import { mermaidOf } from '../journeys/diagram.js';
import type { Journey } from '../journeys/model.js';
import { createNodeRegistry, NODE_DESCRIPTORS } from '../nodes/index.js';
import { outcomesOf as nodeOutcomes, type Outcome } from '../nodes/types.js';
import { readJourneyDir } from '../journeys/catalog.js';
import { editorSchema, JOURNEY_ID_PATTERN } from '../journeys/schema.js';
import { formatProblems, nodeTypesNotRun, validateJourneys, type JourneyInput } from '../journeys/validate.js';
import { recordsFromImport } from '../scripts/am-export.js';
import { fileNames, META_SUFFIX, toAmRecord, writeScriptDir } from '../scripts/files.js';
import { libraryFromRecords, libraryOf, loadScriptLibrary, scriptsDirOf, type ScriptLibrary } from '../scripts/library.js';
import type { ScriptRecord } from '../scripts/model.js';
import { unknownSubcommand, type Command, type CommandIo, type Subcommand } from './command.js';
import { realmJourneysDir, ROOT_REALM_NAME } from '../realms/realms.js';
import { providerProblem, SOCIAL_PROVIDERS_DIR } from '../social/providers.js';

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'validate',
    summary: 'Check journey files; exit 1 on any error.',
    usage: `Usage: cairn journeys validate <file|dir>... [--realm NAME]

With --realm and no file: the realm's journeys (its own, or the shipped ones), for its managed/NAME_user.
Checks journey files (a directory: every *.json in it) against the schema, each node's settings and
the graph rules, and prints every problem with its file and JSON pointer. Exit 0 when there is no
error (warnings allowed), 1 on any error. The server runs the same checks at start.`,
  },
  {
    name: 'import',
    summary: 'Convert AM / PingOne AIC exports into journey files, journey by journey.',
    usage: `Usage: cairn journeys import <export file|folder>... [--out DIR] [--realm NAME] [--readable-ids] [--force] [--dry-run]

Converts AM / PingOne AIC exports (frodo, AM REST, Amster, AM file-based config, fr-config-manager
folders) into journey files, journey by journey, validates them with the journeys already there,
and writes those without errors, with the scripts they use (scripts/ beside them) and the social
identity providers they name (social-providers/, client secrets left out). Each journey's result is
printed.

Options:
  --out DIR        where to write (default: CAIRN_JOURNEYS_DIR, ./journeys; a realm declared in
                   CAIRN_REALMS: its own directory under it)
  --realm NAME     import the journeys of this realm only (the others are listed, left out)
  --readable-ids   name nodes after their display names instead of AM's UUIDs
  --force          replace journey files that exist
  --dry-run        check and report everything, write nothing`,
  },
  {
    name: 'export',
    summary: 'Print journeys as a frodo export, for AM / AIC.',
    usage: `Usage: cairn journeys export <file|dir>... [--realm NAME]

With --realm and no file: the realm's journeys (its own, or the shipped ones).

Prints the journeys as one frodo export (JSON) on standard output, for \`frodo journey import\` or
AM's REST API. The journeys are validated first; any error stops the export (exit 1).`,
  },
  {
    name: 'diagram',
    summary: 'Print each journey as a Mermaid flowchart (Markdown).',
    usage: `Usage: cairn journeys diagram <file|dir>...

Prints each journey as a Markdown section with a Mermaid flowchart (GitHub draws it), as in
journeys/README.md. Exit 1 when a journey has errors (they are printed to standard error).`,
  },
  {
    name: 'schema',
    summary: 'Print (or write) the JSON Schema of journey files.',
    usage: `Usage: cairn journeys schema [out-file]

Prints the JSON Schema of journey files, with every node type's settings, or writes it to out-file
(schemas/journey.schema.json is the copy journey files name in "$schema", for editors).`,
  },
];

async function collect(paths: string[], io: CommandIo): Promise<{ inputs: JourneyInput[]; known: Set<string>; scripts: ScriptLibrary } | undefined> {
  const inputs: JourneyInput[] = [];
  const known = new Set<string>();
  const scriptDirs = new Set<string>();
  for (const p of paths) {
    const full = resolve(io.cwd, p);
    let info;
    try {
      info = await stat(full);
    } catch {
      io.err(`cairn journeys validate: ${p}: no such file or directory.`);
      return undefined;
    }
    scriptDirs.add(scriptsDirOf(info.isDirectory() ? full : dirname(full)));
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
  return { inputs, known, scripts: await scriptsOf([...scriptDirs]) };
}

/** The scripts beside the journeys (`<dir>/scripts/`), of every directory named. */
async function scriptsOf(dirs: string[]): Promise<ScriptLibrary> {
  const libraries = await Promise.all(dirs.map((d) => loadScriptLibrary(d)));
  if (libraries.length === 1) return libraries[0]!;
  return libraryOf(
    dirs.join(', '),
    libraries.flatMap((l) => l.all()),
    libraries.flatMap((l) => l.problems),
  );
}

/**
 * `--realm NAME` of validate and export: the realm's journeys (its own directory, else the shipped
 * ones it falls back to) when no file is named, and its identity resource (`managed/<name>_user`).
 */
async function realmTarget(command: string, args: string[], io: CommandIo): Promise<{ paths: string[]; identityResource?: string } | number> {
  const { positional, values } = parseArgs(args, ['--realm']);
  const realm = values.get('--realm');
  if (realm === undefined) return { paths: positional };
  const name = normaliseRealm(realm);
  const settings = loadSettings(io.env, io.cwd);
  if (name !== ROOT_REALM_NAME && !settings.realms.includes(name)) {
    io.err(`cairn journeys ${command}: the realm "${name}" is not declared (CAIRN_REALMS: ${settings.realms.join(', ') || 'none'}).`);
    return 2;
  }
  if (name === ROOT_REALM_NAME) return { paths: positional.length ? positional : [settings.journeysDir] };
  const own = realmJourneysDir(settings.journeysDir, name);
  const hasOwn = await stat(own).then(
    (i) => i.isDirectory(),
    () => false,
  );
  return { paths: positional.length ? positional : [hasOwn ? own : settings.journeysDir], identityResource: `managed/${name}_user` };
}

async function validate(argv: string[], io: CommandIo): Promise<number> {
  const target = await realmTarget('validate', argv, io);
  if (typeof target === 'number') return target;
  const args = target.paths;
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
  const validated = validateJourneys(found.inputs, createNodeRegistry(), {
    knownJourneys: found.known,
    scripts: found.scripts,
    ...(target.identityResource ? { identityResource: target.identityResource } : {}),
  });
  const journeys = validated.journeys;
  const problems = [...found.scripts.problems, ...validated.problems];
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

/** `--name value` options of a command line, and the positional arguments. */
function parseArgs(args: string[], valued: string[]): { positional: string[]; values: Map<string, string>; flags: Set<string> } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (valued.includes(a)) values.set(a, args[++i] ?? '');
    else if (a.startsWith('--')) flags.add(a);
    else positional.push(a);
  }
  return { positional, values, flags };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function settingsOrUndefined(io: CommandIo): ReturnType<typeof loadSettings> | undefined {
  try {
    return loadSettings(io.env, io.cwd);
  } catch {
    return undefined;
  }
}

async function importCommand(args: string[], io: CommandIo): Promise<number> {
  const { positional, values, flags } = parseArgs(args, ['--out', '--realm']);
  const unknown = [...flags].filter((f) => !['--readable-ids', '--force', '--dry-run'].includes(f));
  if (unknown.length > 0) {
    io.err(`cairn journeys import: there is no option ${unknown.join(', ')}; see \`cairn journeys import --help\`.`);
    return 2;
  }
  if (positional.length === 0) {
    io.err('cairn journeys import: name the export file or folder.');
    return 2;
  }
  let sources;
  try {
    sources = await readImportSources(positional, io.cwd);
  } catch (e) {
    if (e instanceof ImportReadError) {
      io.err(`cairn journeys import: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const realm = values.get('--realm');
  const result = importAm(sources, { keepAmIds: !flags.has('--readable-ids'), ...(realm ? { realm } : {}) });
  // A realm's journeys go to its own directory, for a realm the server declares.
  const realmName = realm === undefined ? ROOT_REALM_NAME : normaliseRealm(realm);
  // With --out the settings only name the declared realms (for a note): a bad one does not stop the import.
  const settings = values.has('--out') ? settingsOrUndefined(io) : loadSettings(io.env, io.cwd);
  const declaredRealms = settings?.realms ?? [];
  let dir: string;
  if (values.has('--out') || !settings) dir = resolve(io.cwd, values.get('--out')!);
  else {
    if (realmName !== ROOT_REALM_NAME && !settings.realms.includes(realmName)) {
      io.err(
        `cairn journeys import: the export is for the realm ${realmName}, which is not declared (CAIRN_REALMS: ${settings.realms.join(', ') || 'none'}); declare it, or name the directory with --out.`,
      );
      return 2;
    }
    dir = realmName === ROOT_REALM_NAME ? settings.journeysDir : realmJourneysDir(settings.journeysDir, realmName);
  }
  const identityResource = realmName === ROOT_REALM_NAME ? undefined : `managed/${realmName}_user`;
  const schemaRef = relative(dir, resolve(dirname(new URL(import.meta.url).pathname), '../../schemas/journey.schema.json'));

  // Each imported journey is planned as a file; one that would replace a file without --force stays out.
  const failed = [...result.failed];
  const planned: { file: string; journey: Journey; from: string }[] = [];
  for (const j of result.journeys) {
    // The journey's name becomes its file name: one that could leave the directory is refused.
    if (!new RegExp(JOURNEY_ID_PATTERN).test(j.journey._id)) {
      const message = `The journey name ${JSON.stringify(j.journey._id)} cannot be a file name (a path separator, a leading dot or a control character).`;
      failed.push({ journey: j.journey._id, file: j.file, pointer: `${j.pointer}/_id`, message });
      continue;
    }
    const file = join(dir, `${j.journey._id}.json`);
    const exists = await access(file).then(
      () => true,
      () => false,
    );
    if (exists && !flags.has('--force')) {
      failed.push({ journey: j.journey._id, file: j.file, pointer: j.pointer, message: `${file} exists; use --force to replace it.` });
      continue;
    }
    planned.push({ file, journey: { $schema: schemaRef, ...j.journey }, from: `${j.file}#${j.pointer}` });
  }

  // Scripts go beside the journeys, in <dir>/scripts/; one that would replace a different script without --force stays out.
  const scriptsDir = scriptsDirOf(dir);
  const { records: carried, unreadable } = recordsFromImport(result.scripts);
  const present = await loadScriptLibrary(scriptsDir);
  const writeScripts: ScriptRecord[] = [];
  const scriptNotes: string[] = unreadable.map((s) => `script ${s._id}: its body could not be read; not written.`);
  for (const r of carried) {
    const old = present.get(r.meta._id);
    if (!old) writeScripts.push(r);
    else if (old.source !== r.source || JSON.stringify(old.meta) !== JSON.stringify(r.meta)) {
      if (flags.has('--force')) writeScripts.push(r);
      else
        scriptNotes.push(
          `script ${r.meta._id} (${String(r.meta.name)}) differs from the one in ${scriptsDir}; kept that one (--force to replace it).`,
        );
    }
  }
  const keptScripts = present.all().filter((s) => !writeScripts.some((r) => r.meta._id === s.meta._id));
  const scriptNames = fileNames([...keptScripts, ...writeScripts].map((s) => s.meta));
  const library = await libraryFromRecords(scriptsDir, [...keptScripts, ...writeScripts]);

  // Validated together with the journeys already in the directory, so inner journeys resolve across both.
  const existing = (await readJourneyDir(dir).catch(() => [])).filter((i) => !planned.some((p) => p.file === i.file));
  const { problems } = validateJourneys([...existing, ...planned.map((p) => ({ file: p.file, json: p.journey }))], createNodeRegistry(), {
    scripts: library,
    ...(identityResource ? { identityResource } : {}),
  });
  // Social identity providers go beside the journeys, without their secrets (those belong in settings).
  const providerNotes: string[] = [];
  const providerFiles: { file: string; record: Record<string, unknown> }[] = [];
  for (const [name, p] of Object.entries(result.socialProviders)) {
    const { clientSecret, ...record } = p;
    const why = providerProblem(record);
    if (why) {
      providerNotes.push(`social identity provider ${name}: ${why}; not written.`);
      continue;
    }
    providerFiles.push({ file: join(dir, SOCIAL_PROVIDERS_DIR, `${String(record._id)}.json`), record });
    providerNotes.push(
      `social identity provider ${name} ${flags.has('--dry-run') ? 'would be written' : 'written'} to ${join(dir, SOCIAL_PROVIDERS_DIR)}` +
        (clientSecret !== undefined && clientSecret !== null
          ? `; its client secret was left out: set CAIRN_SOCIAL_CLIENT_SECRETS=${name}=<secret>.`
          : '.'),
    );
  }
  const byFile = new Map<string, typeof problems>();
  for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);

  if (!flags.has('--dry-run')) {
    await mkdir(dir, { recursive: true });
    for (const p of planned) await writeFile(p.file, JSON.stringify(p.journey, null, 2) + '\n');
    if (writeScripts.length > 0) await writeScriptDir(scriptsDir, writeScripts, scriptNames);
    if (providerFiles.length > 0) await mkdir(join(dir, SOCIAL_PROVIDERS_DIR), { recursive: true });
    for (const p of providerFiles) await writeFile(p.file, JSON.stringify(p.record, null, 2) + '\n');
  }

  const width = Math.max(8, ...planned.map((p) => p.journey._id.length), ...failed.map((f) => f.journey.length));
  let runs = 0;
  for (const p of planned) {
    const mine = byFile.get(p.file) ?? [];
    const errors = mine.filter((x) => x.severity === 'error').length;
    const warnings = mine.length - errors;
    if (errors === 0) runs++;
    const state = errors > 0 ? `imported, does not run: ${plural(errors, 'error')}` : 'imported, runs';
    io.out(`${p.journey._id.padEnd(width)}  ${state}${warnings ? `, ${plural(warnings, 'warning')}` : ''}  (from ${p.from})`);
  }
  for (const f of failed) io.out(`${f.journey.padEnd(width)}  not imported: ${f.message}  (${f.file}#${f.pointer})`);

  const importIssues = result.issues.filter(
    (i) => !(i.severity === 'error' && i.journey !== undefined && failed.some((f) => f.journey === i.journey)),
  );
  const details = [
    ...importIssues.map(
      (i) => `${i.severity}: ${i.file}#${i.pointer || '/'}: ${i.journey !== undefined ? `journey '${i.journey}': ` : ''}${i.message}`,
    ),
    ...formatProblems(planned.flatMap((p) => byFile.get(p.file) ?? [])),
  ];
  if (details.length > 0) io.out('');
  for (const line of details) io.out(line);

  const registry = createNodeRegistry();
  const blockers = new Map<string, number>();
  for (const p of planned) for (const t of nodeTypesNotRun(p.journey, registry)) blockers.set(t, (blockers.get(t) ?? 0) + 1);
  const found = planned.length + failed.length;
  const files = result.files.filter((f) => f.format).length;
  io.out('');
  io.out(
    `${plural(found, 'journey')} found in ${plural(files, 'export file')}: ${planned.length} imported (${runs} run${planned.length - runs ? `, ${planned.length - runs} need changes to run` : ''}), ${failed.length} not imported.` +
      (flags.has('--dry-run') ? ' Nothing written (--dry-run).' : planned.length ? ` Written to ${dir}.` : ''),
  );
  if (blockers.size > 0) {
    const list = [...blockers].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    io.out(`Node types Cairn does not run, by journeys using them: ${list.map(([t, n]) => `${t} (${n})`).join(', ')}.`);
  }
  if (result.otherRealms.length > 0) {
    const realms = [...new Set(result.otherRealms.map((o) => o.realm))].join(', ');
    io.out(`${plural(result.otherRealms.length, 'journey')} of other realms (${realms}) left out (--realm ${realm}).`);
  }
  for (const note of scriptNotes) io.out(note);
  for (const note of providerNotes) io.out(note);
  // An export of an AIC realm imported without --realm: say where it went and how to serve it as that realm.
  if (realm === undefined) {
    const exported = [...new Set(result.journeys.map((j) => j.realm).filter((r): r is string => r !== undefined && r !== ROOT_REALM_NAME))];
    for (const r of exported) {
      const declared = declaredRealms.includes(r);
      io.out(
        `The export is of the realm ${r}, ${declared ? 'which this server declares' : 'which is not declared (CAIRN_REALMS)'}: imported into ${dir}` +
          (declared ? `; import it with --realm ${r} to serve it in ${r}.` : `; to serve it as realm ${r}, declare it and import with --realm ${r}.`),
      );
    }
  }
  if (result.scripts.length > 0) {
    const verb = flags.has('--dry-run') ? 'would be written' : 'written';
    io.out(
      `${plural(result.scripts.length, 'script')} found: ${writeScripts.length} ${verb} to ${scriptsDir} (${META_SUFFIX.slice(1)} + source each).`,
    );
  }
  if (found === 0 && result.issues.every((i) => i.severity !== 'error')) io.out('No journey found: is this an AM or frodo export?');
  return failed.length > 0 || runs < planned.length || result.issues.some((i) => i.severity === 'error') ? 1 : 0;
}

async function exportCommand(argv: string[], io: CommandIo): Promise<number> {
  const target = await realmTarget('export', argv, io);
  if (typeof target === 'number') return target;
  const args = target.paths;
  if (args.length === 0) {
    io.err('cairn journeys export: name at least one journey file.');
    return 2;
  }
  const found = await collect(args, io);
  if (!found) return 2;
  // A journey Cairn cannot run (an AM node it does not support) still exports: AM gets back what it had.
  const journeys: Journey[] = [];
  for (const input of found.inputs) {
    let json: unknown;
    try {
      json = input.json ?? JSON.parse(input.text ?? '');
    } catch (e) {
      io.err(`cairn journeys export: ${input.file}: not valid JSON (${(e as Error).message}).`);
      return 1;
    }
    journeys.push(json as Journey);
  }
  const registry = createNodeRegistry();
  const outcomesOf = (nodeType: string, config: Record<string, unknown>): Outcome[] | undefined => {
    const d = registry.get(nodeType);
    return d && !d.children ? nodeOutcomes(d, config) : undefined;
  };
  try {
    // Each tree carries the scripts its nodes run, their bodies encoded as they were imported.
    const scripts = Object.fromEntries(found.scripts.all().map((s) => [s.meta._id, toAmRecord(s)]));
    io.out(JSON.stringify(exportAmJourneys(journeys, { outcomesOf, scripts }), null, 2));
  } catch (e) {
    if (isCairnError(e)) {
      io.err(`cairn journeys export: ${e.message}.`);
      return 1;
    }
    throw e;
  }
  return 0;
}

async function diagramCommand(args: string[], io: CommandIo): Promise<number> {
  const found = args.length ? await collect(args, io) : undefined;
  if (!found) {
    if (!args.length) io.err('cairn journeys diagram: name at least one journey file or directory.');
    return 2;
  }
  const { problems, journeys } = validateJourneys(found.inputs, createNodeRegistry(), { knownJourneys: found.known, scripts: found.scripts });
  for (const line of formatProblems(problems.filter((p) => p.severity === 'error'))) io.err(line);
  for (const j of [...journeys.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    io.out(`## ${j.id}\n\n${j.source.description ?? ''}\n\n\`\`\`mermaid\n${mermaidOf(j.source)}\n\`\`\`\n`);
  }
  return problems.some((p) => p.severity === 'error') ? 1 : 0;
}

export const journeysCommand: Command = {
  name: 'journeys',
  summary: 'Validate, import, export and draw journey files; print their schema.',
  usage: 'Usage: cairn journeys <sub-command> [arguments]\n\nJourney files are JSON, one journey each, in CAIRN_JOURNEYS_DIR (default ./journeys).',
  subcommands: SUBCOMMANDS,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'validate') return validate(rest, io);
    if (sub === 'schema') return schema(rest, io);
    if (sub === 'import') return importCommand(rest, io);
    if (sub === 'export') return exportCommand(rest, io);
    if (sub === 'diagram') return diagramCommand(rest, io);
    return unknownSubcommand(journeysCommand, sub, io);
  },
};
