/**
 * The runner, driven without HTTP through the Tour journey: the callbacks, XState's persisted snapshot
 * and the outcome at each step, a wrong callback shape, the other branches, locales, unknown journeys
 * and stale snapshots, a node error. Nodes run on the real services over a temporary store.
 */
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../../src/errors/cairn-error.js';
import type { PersistedJourney, StepInput } from '../../../src/journeys/runner.js';
import { answer, en, expectCallbacks, tourRunners, wire } from './support.js';

const bed = tourRunners();
const makeRunner = bed.makeRunner;

describe('JourneyRunner through the Tour journey', () => {
  it('runs message → page → choice → inner tree → success, with the state at each step', async () => {
    const runner = makeRunner();

    // Step 1: the Message Node asks yes/no; stand-alone callbacks carry no _id.
    const s1 = expectCallbacks(await runner.start('Tour', en));
    expect(s1.callbacks).toEqual([
      {
        type: 'TextOutputCallback',
        output: [
          { name: 'message', value: 'Ready to start?' },
          { name: 'messageType', value: '0' },
        ],
      },
      {
        type: 'ConfirmationCallback',
        output: [
          { name: 'prompt', value: '' },
          { name: 'messageType', value: 0 },
          { name: 'options', value: ['Yes', 'No'] },
          { name: 'optionType', value: -1 },
          { name: 'defaultOption', value: 1 },
        ],
        input: [{ name: 'IDToken2', value: 0 }],
      },
    ]);
    expect(s1.header).toBeUndefined();
    expect(s1.snapshot).toMatchObject({ v: 2, journey: 'Tour', version: s1.journey.version, machine: { status: 'active', value: 'welcome' } });
    expect(s1.effects).toEqual([]);

    // Step 2: "Yes" → the page with two children, callbacks numbered by position, _ids 0 and 1.
    const s2 = expectCallbacks(await runner.next(wire(s1.snapshot), answer(s1.callbacks, [[], [0]]), en));
    expect(s2.header).toBe('Sign In');
    expect(s2.description).toBe('Enter your details');
    expect(s2.callbacks).toEqual([
      { type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: '' }], _id: 0 },
      { type: 'PasswordCallback', output: [{ name: 'prompt', value: 'Password' }], input: [{ name: 'IDToken2', value: '' }], _id: 1 },
    ]);
    expect(s2.snapshot.machine.value).toBe('credentials');

    // A wrong callback shape (one callback missing) is refused and changes nothing.
    const before = JSON.stringify(s2.snapshot);
    const short = answer(s2.callbacks, [['bjensen']]).slice(0, 1);
    await expect(runner.next(wire(s2.snapshot), short, en)).rejects.toMatchObject({ status: 400 });
    await expect(runner.next(wire(s2.snapshot), short, en)).rejects.toBeInstanceOf(CairnError);
    // A changed type is refused too.
    const retyped = answer(s2.callbacks, [['bjensen'], ['pw']]).map((c, i) => (i === 1 ? { ...c, type: 'TextInputCallback' } : c));
    await expect(runner.next(wire(s2.snapshot), retyped, en)).rejects.toMatchObject({ status: 400 });
    expect(JSON.stringify(s2.snapshot)).toBe(before);

    // Step 3: credentials → the choice; username in shared state, password only in transient state.
    const s3 = expectCallbacks(await runner.next(wire(s2.snapshot), answer(s2.callbacks, [['bjensen'], ['s3cret-Passw0rd']]), en));
    expect(s3.callbacks).toEqual([
      {
        type: 'ChoiceCallback',
        output: [
          { name: 'prompt', value: 'What next?' },
          { name: 'choices', value: ['profile', 'done'] },
          { name: 'defaultChoice', value: 1 },
        ],
        input: [{ name: 'IDToken1', value: 1 }],
      },
    ]);
    const c3 = s3.snapshot.machine.context;
    expect(c3.shared.username).toBe('bjensen');
    expect(c3.transient.password).toBe('s3cret-Passw0rd');
    expect(JSON.stringify(c3.shared)).not.toContain('s3cret');
    expect(c3.local).toEqual({}); // the page's routing state is gone once it left

    // Step 4: "profile" → the inner tree's page: the Inner Tree Evaluator is a compound state of Tour's machine.
    const s4 = expectCallbacks(await runner.next(wire(s3.snapshot), answer(s3.callbacks, [[0]]), en));
    expect(s4.header).toBe('Your names');
    expect(s4.snapshot.machine.value).toEqual({ profile: 'names' });
    expect(Object.keys(s4.snapshot.machine.context.local)).toEqual(['profile.names']); // the inner page's routes, by state path
    expect(s4.callbacks.map((c) => [c.type, c._id, c.output.find((o) => o.name === 'name')?.value])).toEqual([
      ['StringAttributeInputCallback', 0, 'givenName'],
      ['StringAttributeInputCallback', 1, 'sn'],
    ]);
    expect(s4.callbacks[1]?.input?.map((i) => i.name)).toEqual(['IDToken2', 'IDToken2validateOnly']);

    // A required value left blank: the same page again, nothing advances.
    const s4b = expectCallbacks(await runner.next(wire(s4.snapshot), answer(s4.callbacks, [['Barbara'], ['']]), en));
    expect(s4b.snapshot.machine.value).toEqual({ profile: 'names' });
    expect(s4b.callbacks).toHaveLength(2);

    // Step 5: names given → inner Success → Inner Tree "true" → Success URL → Success.
    const s5 = await runner.next(wire(s4b.snapshot), answer(s4b.callbacks, [['Barbara'], ['Jensen']]), en);
    expect(s5.type).toBe('success');
    expect(s5.snapshot.machine).toMatchObject({ status: 'done', value: 'Success' });
    expect(s5.snapshot.machine.context.shared).toMatchObject({
      username: 'bjensen',
      successUrl: 'https://app.example.com/welcome',
      objectAttributes: { givenName: 'Barbara', sn: 'Jensen' },
    });
  });

  it('takes the other branch of the choice straight to Success', async () => {
    const runner = makeRunner();
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const s2 = expectCallbacks(await runner.next(s1.snapshot, answer(s1.callbacks, [[], [0]]), en));
    const s3 = expectCallbacks(await runner.next(s2.snapshot, answer(s2.callbacks, [['a'], ['b']]), en));
    const s4 = await runner.next(s3.snapshot, answer(s3.callbacks, [[1]]), en);
    expect(s4.type).toBe('success');
    expect(s4.snapshot.machine.context.shared.successUrl).toBeUndefined();
  });

  it('fails with AM\'s message when the Message Node is answered "No"', async () => {
    const runner = makeRunner();
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const r = await runner.next(s1.snapshot, answer(s1.callbacks, [[], [1]]), en);
    expect(r).toMatchObject({ type: 'failure', message: 'Login failure' });
  });

  it('localises texts from the request locales', async () => {
    const runner = makeRunner();
    const fr: StepInput = { locales: ['fr-ca', 'en'], request: { headers: {}, query: {} } };
    const s1 = expectCallbacks(await runner.start('Tour', fr));
    expect(s1.callbacks[0]?.output[0]?.value).toBe('Prêt ?');
    const s2 = expectCallbacks(await runner.next(s1.snapshot, answer(s1.callbacks, [[], [0]]), fr));
    expect(s2.header).toBe('Connexion');
    expect(s2.description).toBe('Enter your details'); // no French text: the first entry
  });

  it('refuses to start unknown and inner-only journeys, and snapshots of another journey version', async () => {
    const runner = makeRunner();
    await expect(runner.start('Nope', en)).rejects.toMatchObject({ status: 400, message: 'No Configuration found' });
    await expect(runner.start('Profile', en)).rejects.toMatchObject({ status: 400, message: 'No Configuration found' });
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const stale = { ...wire(s1.snapshot), version: '0000000000000000' };
    await expect(runner.next(stale, answer(s1.callbacks, [[], [0]]), en)).rejects.toMatchObject({ status: 401, code: 'journey.changed' });
    // A state the machine does not have, another journey's snapshot, the old (v1) format: the same timeout.
    const lost = wire(s1.snapshot);
    lost.machine.value = 'nowhere';
    await expect(runner.next(lost, answer(s1.callbacks, [[], [0]]), en)).rejects.toMatchObject({ code: 'journey.changed' });
    await expect(runner.next({ ...wire(s1.snapshot), journey: 'Profile' }, [], en)).rejects.toMatchObject({ code: 'journey.changed' });
    const v1 = { v: 1, frames: [{ journeyId: 'Tour', version: s1.journey.version, state: 'welcome' }], shared: {}, transient: {}, local: {} };
    await expect(runner.next(v1 as unknown as PersistedJourney, [], en)).rejects.toMatchObject({ code: 'journey.changed' });
  });

  it('turns an unexpected node error into a journey failure without leaking it', async () => {
    const errors: unknown[] = [];
    const runner = makeRunner({
      services: {
        ...bed.services,
        now: () => {
          throw new Error('clock exploded');
        },
      },
      onNodeError: (e) => errors.push(e),
    });
    // start() reads the clock before any node runs: the error surfaces to the caller, not as a journey result.
    await expect(runner.start('Tour', en)).rejects.toThrow('clock exploded');
    expect(errors).toEqual([]);
  });
});
