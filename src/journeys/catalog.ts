/**
 * The journeys a server runs: loaded from a directory, validated, compiled once (each journey with the
 * inner journeys it embeds). In-flight journeys are bound to the version they started on: a catalog
 * whose journeys change while it runs (src/config-store/live.ts) gives earlier versions back through
 * `at`; a fixed one answers them with a timeout.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeRegistry } from '../nodes/index.js';
import { compileJourney, type CompiledJourney } from './compile.js';
import { validateJourneys, type JourneyInput, type Problem, type ValidateOptions } from './validate.js';

export interface JourneyCatalog {
  /** The journey as it runs now. */
  get(id: string): CompiledJourney | undefined;
  ids(): string[];
  /**
   * An earlier compiled version of a journey, for the journeys in flight that started on it (a catalog
   * that changes while it runs keeps them, or can rebuild them); undefined when it is not available.
   */
  at?(id: string, version: string): Promise<CompiledJourney | undefined>;
}

export function catalogOf(journeys: Iterable<CompiledJourney>): JourneyCatalog {
  const map = new Map<string, CompiledJourney>();
  for (const j of journeys) map.set(j.id, j);
  const ids = [...map.keys()].sort();
  return { get: (id) => map.get(id), ids: () => [...ids] };
}

/** Reads every `*.json` file of a directory (not recursive), sorted by name. */
export async function readJourneyDir(dir: string): Promise<JourneyInput[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  return Promise.all(names.map(async (n) => ({ file: join(dir, n), text: await readFile(join(dir, n), 'utf8') })));
}

export interface LoadedCatalog {
  catalog: JourneyCatalog;
  problems: Problem[];
}

/** Validates and compiles a set of journey files; journeys with errors are left out and reported. */
export function buildCatalog(inputs: JourneyInput[], registry: NodeRegistry, options: ValidateOptions = {}): LoadedCatalog {
  const { problems, journeys } = validateJourneys(inputs, registry, options);
  const compiled = [...journeys.values()].map((j) => compileJourney(j, (id) => journeys.get(id)));
  return { catalog: catalogOf(compiled), problems };
}
