/**
 * The corpus: real AM / PingOne AIC exports from public repositories (test/fixtures/corpus/manifest.json,
 * sources in README.md), imported and validated as `cairn journeys import` does it, entry by entry.
 * Each entry must import journey by journey (a failure named with file, journey and pointer), every
 * imported journey must export back to what AM exported, and the figure — export files imported and
 * validated, journeys imported, and the node types that still stop journeys — is printed.
 *
 * The exports are read from local snapshots of their repositories (`git archive` of the recorded
 * commit under CAIRN_MIRROR_DIR, default /work/.mirror/<owner>+<name>/repo), or from CAIRN_CORPUS_DIR
 * holding `<entry id>/<path>` when the corpus was materialised elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAmJourneys, sortKeysDeep } from '../../src/journeys/export-am.js';
import { importAm, type AmImportResult } from '../../src/journeys/import-am.js';
import { readImportSources } from '../../src/journeys/import-files.js';
import { recogniseSources, type ExportFormat, type ImportSource, type Recognised } from '../../src/journeys/import-sources.js';
import { nodeTypesNotRun, validateJourneys } from '../../src/journeys/validate.js';
import { createNodeRegistry } from '../../src/nodes/index.js';

interface Entry {
  id: string;
  repo: string;
  commit: string;
  path: string;
  /** The format(s) the entry's exports are in. */
  format: ExportFormat | ExportFormat[];
  realm?: string;
  what: string;
}
type Json = Record<string, any>;

const MANIFEST = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'manifest.json');
const entries = (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { entries: Entry[] }).entries;
const MIRRORS = process.env.CAIRN_MIRROR_DIR ?? '/work/.mirror';
const registry = createNodeRegistry();

/** Puts an entry's files under `root/<id>/` and returns the path to import, relative to `root/<id>`. */
function materialise(entry: Entry, root: string): string {
  const base = join(root, entry.id);
  mkdirSync(base, { recursive: true });
  if (entry.path.startsWith('/')) {
    copyFileSync(entry.path, join(base, basename(entry.path)));
    return basename(entry.path);
  }
  const given = process.env.CAIRN_CORPUS_DIR;
  if (given) {
    execFileSync('cp', ['-r', join(given, entry.id, '.'), base]);
    return entry.path;
  }
  const git = join(MIRRORS, entry.repo.replace('/', '+'), 'repo');
  if (!existsSync(git)) {
    throw new Error(`The corpus entry ${entry.id} needs a snapshot of ${entry.repo} at ${git} (or CAIRN_CORPUS_DIR).`);
  }
  const tar = execFileSync('git', ['-C', git, 'archive', entry.commit, entry.path], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  execFileSync('tar', ['-x', '-C', base], { input: tar });
  return entry.path;
}

interface Outcome {
  entry: Entry;
  sources: ImportSource[];
  recognised: Recognised;
  result: AmImportResult;
  /** Journeys without validation errors. */
  runs: Set<string>;
  blockers: Map<string, string[]>;
}

const strip = ({ _rev, ...rest }: Json): Json => rest;
const canonical = (v: unknown): string => JSON.stringify(sortKeysDeep(v));
const withoutAm = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutAm)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => k !== 'am')
            .map(([k, x]) => [k, withoutAm(x)]),
        )
      : v;

describe('the corpus of real exports', () => {
  let root: string;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-corpus-'));
    for (const entry of entries) {
      const path = materialise(entry, root);
      const sources = await readImportSources([path], join(root, entry.id));
      const options = entry.realm ? { realm: entry.realm } : {};
      const result = importAm(sources, options);
      const { problems } = validateJourneys(
        result.journeys.map((j) => ({ file: `${j.journey._id}.json`, json: j.journey })),
        registry,
      );
      const failing = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.file));
      const runs = new Set(result.journeys.map((j) => j.journey._id).filter((id) => !failing.has(`${id}.json`)));
      const blockers = new Map(result.journeys.map((j) => [j.journey._id, nodeTypesNotRun(j.journey, registry)]));
      outcomes.push({ entry, sources, recognised: recogniseSources(sources), result, runs, blockers });
    }
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('imports every entry journey by journey; each failure is named with file, journey and pointer', () => {
    for (const { entry, sources, result } of outcomes) {
      expect(result.journeys.length, entry.id).toBeGreaterThan(0);
      const formats = ([] as ExportFormat[]).concat(entry.format);
      expect(new Set(result.journeys.map((j) => j.format)), entry.id).toEqual(new Set(formats));
      for (const f of result.failed) {
        expect(
          sources.some((s) => s.file === f.file),
          `${entry.id}: ${f.file}`,
        ).toBe(true);
        expect(f.journey).not.toBe('');
        expect(f.pointer).toMatch(/^\//);
        expect(f.message).toMatch(/\.$/);
      }
      // Whatever does not run is named: an unsupported node type, or a problem at a pointer of the journey.
      expect(
        result.issues.every((i) => typeof i.message === 'string' && typeof i.pointer === 'string'),
        entry.id,
      ).toBe(true);
    }
  });

  it('gives AM back what it exported: trees and node configs as exported (without _rev), and a lossless re-import', () => {
    for (const { entry, recognised, result } of outcomes) {
      const journeys = result.journeys.map((j) => j.journey);
      const exported = exportAmJourneys(journeys);
      const again = importAm([{ file: 'again.json', json: JSON.parse(JSON.stringify(exported)) }]);
      const byId = new Map(again.journeys.map((j) => [j.journey._id, j.journey]));
      for (const j of result.journeys) {
        const id = j.journey._id;
        // Formats without AM's REST envelope gain `_type` names and `_outcomes` on the way out; nothing else changes.
        const envelope = j.format !== 'node-details' && j.format !== 'am-file-config';
        const reimported = byId.get(id);
        expect(reimported, `${entry.id}: ${id}`).toBeDefined();
        expect(canonical(envelope ? reimported : withoutAm(reimported)), `${entry.id}: ${id} re-imported`).toBe(
          canonical(envelope ? j.journey : withoutAm(j.journey)),
        );
        const source = recognised.trees.find((t) => t.file === j.file && t.pointer === j.pointer)!;
        const out = exported.trees[id]!;
        if (j.format !== 'am-file-config') expect(canonical(out.tree), `${entry.id}: ${id} tree`).toBe(canonical(strip(source.tree)));
        if (!envelope) continue;
        for (const [nodeId, config] of Object.entries({ ...out.nodes, ...out.innerNodes })) {
          const original =
            source.nodes.get(nodeId) ?? recognised.loose.find((n) => n.id === nodeId && (n.realm === undefined || n.realm === j.realm));
          expect(canonical(config), `${entry.id}: ${id} node ${nodeId}`).toBe(canonical(strip(original!.config)));
        }
      }
    }
  });

  it('prints the figure: export files imported and validated, journeys imported, what still blocks journeys', () => {
    let files = 0;
    let filesImported = 0;
    let filesValidated = 0;
    let found = 0;
    let imported = 0;
    let runs = 0;
    const byType = new Map<string, number>();
    const byFormat = new Map<string, { found: number; imported: number; runs: number }>();
    const lines: string[] = [];
    for (const o of outcomes) {
      const { entry, result } = o;
      const failedByFile = new Map<string, number>();
      for (const f of result.failed) failedByFile.set(f.file, (failedByFile.get(f.file) ?? 0) + 1);
      const treeFiles = new Set([...result.journeys.map((j) => j.file), ...result.failed.map((f) => f.file)]);
      for (const file of treeFiles) {
        files++;
        if (!failedByFile.has(file)) filesImported++;
        const mine = result.journeys.filter((j) => j.file === file);
        if (!failedByFile.has(file) && mine.every((j) => o.runs.has(j.journey._id))) filesValidated++;
      }
      const entryFound = result.journeys.length + result.failed.length;
      found += entryFound;
      imported += result.journeys.length;
      runs += o.runs.size;
      const format = String(entry.format);
      const f = byFormat.get(format) ?? { found: 0, imported: 0, runs: 0 };
      byFormat.set(format, { found: f.found + entryFound, imported: f.imported + result.journeys.length, runs: f.runs + o.runs.size });
      for (const [id, types] of o.blockers) if (!o.runs.has(id)) for (const t of types) byType.set(t, (byType.get(t) ?? 0) + 1);
      lines.push(
        `  ${entry.id.padEnd(36)} ${String(entryFound).padStart(3)} found, ${String(result.journeys.length).padStart(3)} imported, ${String(o.runs.size).padStart(3)} run`,
      );
    }
    const pct = (n: number, d: number): string => `${d ? Math.round((100 * n) / d) : 0}%`;
    const blocked = [...byType].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    console.log(
      [
        `Corpus: ${entries.length} entries from ${new Set(entries.map((e) => e.repo)).size} repositories.`,
        `Export files: ${files}; imported ${filesImported} (${pct(filesImported, files)}); validated (every journey runs) ${filesValidated} (${pct(filesValidated, files)}).`,
        `Journeys: ${found} found; imported ${imported} (${pct(imported, found)}); run ${runs} (${pct(runs, imported)} of imported).`,
        'By format: ' + [...byFormat].map(([k, v]) => `${k} ${v.imported}/${v.found} imported, ${v.runs} run`).join('; ') + '.',
        'Node types that stop imported journeys (journeys using each):',
        ...blocked.map(([t, n]) => `  ${String(n).padStart(3)} ${t}`),
        'Per entry:',
        ...lines,
      ].join('\n'),
    );
    // Floors, not the figure itself: they only rise as nodes land.
    expect(imported / found).toBeGreaterThanOrEqual(0.97);
    expect(filesImported / files).toBeGreaterThanOrEqual(0.97);
    expect(runs).toBeGreaterThanOrEqual(98);
  });

  it('names each node type it does not run with the reason, never with "unknown"', () => {
    for (const o of outcomes) {
      const inputs = o.result.journeys.map((j) => ({ file: `${j.journey._id}.json`, json: j.journey }));
      const { problems } = validateJourneys(inputs, registry);
      for (const p of problems.filter((x) => x.pointer.endsWith('/nodeType'))) {
        expect(p.message, `${o.entry.id}: ${p.file}#${p.pointer}`).toMatch(/replace it or remove it\.$/);
      }
    }
  });
});
