/**
 * The journeys a server runs: loaded from a directory, validated, compiled once per version. A
 * reload swaps the whole set at once; in-flight journeys are bound to the version they started on.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeRegistry } from '../nodes/index.js';
import { compileJourney, type CompiledJourney } from './compile.js';
import { validateJourneys, type JourneyInput, type Problem } from './validate.js';

export interface JourneyCatalog {
  get(id: string): CompiledJourney | undefined;
  ids(): string[];
}

export function catalogOf(journeys: Iterable<CompiledJourney>): JourneyCatalog {
  const map = new Map<string, CompiledJourney>();
  for (const j of journeys) map.set(j.id, j);
  return { get: (id) => map.get(id), ids: () => [...map.keys()].sort() };
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
export function buildCatalog(inputs: JourneyInput[], registry: NodeRegistry): LoadedCatalog {
  const { problems, journeys } = validateJourneys(inputs, registry);
  return { catalog: catalogOf([...journeys.values()].map(compileJourney)), problems };
}
