/**
 * Idioms of real legacy and next-generation scripts, as found in public journey exports: `with` over a
 * JavaImporter, fully qualified `Packages.` names, char-array passwords, Java sets from idRepository.
 */
import { afterAll, expect, it } from 'vitest';
import { answer, runRequest, scriptOf, testEngine } from './support.js';

const t = testEngine({ workers: 1 });
afterAll(() => t.close());

it('runs `with (JavaImporter(...))` blocks and Packages-qualified classes', async () => {
  const script = scriptOf(
    `var fr = JavaImporter(org.forgerock.openam.auth.node.api.Action, javax.security.auth.callback.NameCallback, javax.security.auth.callback.PasswordCallback);
     with (fr) {
       if (callbacks.isEmpty()) {
         action = Action.send(new NameCallback('User'), new PasswordCallback('Password', false)).build();
       } else {
         var pw = String(callbacks.get(1).getPassword());
         transientState.put('password', pw);
         action = Packages.org.forgerock.openam.auth.node.api.Action.goTo(pw.length > 3 ? 'true' : 'false').build();
       }
     }`,
    'legacy',
  );
  t.add(script);
  const first = await t.engine.run(runRequest(script));
  const second = await t.engine.run(runRequest(script, { callbacks: answer(first.callbacks!, ['bjensen', 'secret']) }));
  expect(second.outcome).toBe('true');
  expect(second.transient).toEqual({ password: 'secret' });
});

it('says plainly that library scripts are not supported yet', async () => {
  const script = scriptOf(`var lib = require('My Library'); action.goTo('true');`);
  t.add(script);
  await expect(t.engine.run(runRequest(script))).rejects.toThrow(/require\("My Library"\): library scripts are not supported by Cairn yet/);
});
