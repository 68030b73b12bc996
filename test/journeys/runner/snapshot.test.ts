/**
 * The snapshot a step persists is XState's own (an actor restores it), and a journey's version covers
 * the inner journeys it embeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor, type Snapshot } from 'xstate';
import { buildCatalog } from '../../../src/journeys/catalog.js';
import { JourneyRunner } from '../../../src/journeys/runner.js';
import { createNodeRegistry } from '../../../src/nodes/index.js';
import { answer, en, expectCallbacks, FIXTURES, load, tourCatalog, tourRunners, wire } from './support.js';

const testbed = tourRunners();

describe("XState's persisted snapshot", () => {
  it('is what the machine itself persists: an actor restores it at the same state with the same context', async () => {
    const catalog = tourCatalog();
    const runner = new JourneyRunner({ catalog, services: testbed.services });
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const s2 = expectCallbacks(await runner.next(wire(s1.snapshot), answer(s1.callbacks, [[], [0]]), en));
    const persisted = wire(s2.snapshot).machine;
    expect(Object.keys(persisted).sort()).toEqual(['children', 'context', 'historyValue', 'status', 'value']);
    const machine = catalog.get('Tour')?.machine;
    if (!machine) throw new Error('no Tour');
    const actor = createActor(machine, { snapshot: persisted as unknown as Snapshot<unknown> });
    expect(actor.getSnapshot().value).toBe('credentials');
    expect(actor.getSnapshot().context).toEqual(persisted.context);
    expect(machine.getPersistedSnapshot(actor.getSnapshot())).toEqual(persisted);
    expect(persisted.context.pending).toEqual(s2.callbacks);
  });

  it("the journey's version covers the inner journeys it embeds", () => {
    const tour = tourCatalog().get('Tour');
    const edited = JSON.parse(readFileSync(join(FIXTURES, 'Profile.json'), 'utf8')) as { description: string };
    edited.description = 'changed';
    const { catalog } = buildCatalog([load('Tour.json'), { file: 'Profile.json', json: edited }], createNodeRegistry());
    expect(catalog.get('Tour')?.version).not.toBe(tour?.version);
    expect(catalog.get('Tour')?.source).toEqual(tour?.source);
  });
});
