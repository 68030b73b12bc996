/**
 * What the runner's tests share (./*.test.ts, split by concern so that the fast tier runs them side by
 * side): the Tour journey's catalog (a Message Node, a Page Node of two children, a Choice Collector
 * branch and an inner tree, Profile, a compound state of Tour's machine), a testbed of real node
 * services over a temporary store for each file, and the client's side of a step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Callback } from '../../../src/callbacks/types.js';
import { buildCatalog, type JourneyCatalog } from '../../../src/journeys/catalog.js';
import { JourneyRunner, type PersistedJourney, type RunnerDeps, type StepInput, type StepResult } from '../../../src/journeys/runner.js';
import { createNodeRegistry } from '../../../src/nodes/index.js';
import { blockTestbed } from '../../support/node-context.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'journeys');
export const load = (name: string) => ({ file: join(FIXTURES, name), text: readFileSync(join(FIXTURES, name), 'utf8') });

/** The Tour catalog, built (and checked free of errors) once: a catalog never changes. */
let tour: JourneyCatalog | undefined;
export function tourCatalog(): JourneyCatalog {
  if (tour === undefined) {
    const { catalog, problems } = buildCatalog([load('Tour.json'), load('Profile.json')], createNodeRegistry());
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    tour = catalog;
  }
  return tour;
}

/** The calling file's testbed (made before its tests, closed after them), and runners of the Tour journey on it. */
export function tourRunners(): { readonly services: RunnerDeps['services']; makeRunner(deps?: Partial<RunnerDeps>): JourneyRunner } {
  const block = blockTestbed();
  return {
    get services() {
      return block.testbed.services;
    },
    makeRunner: (deps = {}) => new JourneyRunner({ catalog: tourCatalog(), services: block.testbed.services, ...deps }),
  };
}

export const en: StepInput = { locales: ['en'], request: { headers: {}, query: {} } };

/** What travels between steps: the snapshot survives a JSON round trip (it rides inside the authId). */
export const wire = (s: PersistedJourney): PersistedJourney => JSON.parse(JSON.stringify(s)) as PersistedJourney;

/** Plays the client: copies the callbacks and sets input values by position. */
export function answer(callbacks: Callback[], values: unknown[][]): Callback[] {
  return callbacks.map((cb, i) => ({
    ...structuredClone(cb),
    input: (cb.input ?? []).map((field, j) => ({ name: field.name, value: values[i]?.[j] ?? field.value })),
  }));
}

export function expectCallbacks(r: StepResult): Extract<StepResult, { type: 'callbacks' }> {
  expect(r.type).toBe('callbacks');
  return r as Extract<StepResult, { type: 'callbacks' }>;
}
