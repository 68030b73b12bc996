import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fast tier (`npm run test:unit`): tests that run in this process only — no server, browser,
 * child process, SMTP peer or socket — with simulated time where time matters. Everything else is
 * the integration tier; `npm test` runs both. A new file in test/callbacks/, test/config/, test/crest/
 * or test/nodes/ is a unit test, so it must keep to that; elsewhere a file joins the fast tier by being listed here.
 */
const UNIT = [
  'test/am/authid.test.ts',
  'test/am/authid-jose-interop.test.ts',
  'test/bench/chart.test.ts',
  'test/bench/server-steps.test.ts',
  'test/callbacks/**/*.test.ts',
  'test/config/**/*.test.ts',
  'test/crest/**/*.test.ts',
  'test/identity/passwords.test.ts',
  'test/identity/policy.test.ts',
  'test/identity/schema.test.ts',
  'test/journeys/import-am.test.ts',
  'test/journeys/runner/*.test.ts',
  'test/keys/keystore.test.ts',
  'test/mail/outbox.test.ts',
  'test/mail/queue-timing.test.ts',
  'test/mail/render.test.ts',
  'test/mail/templates.test.ts',
  'test/nodes/**/*.test.ts',
  'test/stores/embedded.test.ts',
  'test/stores/mongodb-filter.test.ts',
  'test/ui/credentials-refused.test.ts',
  'test/ui/form-model.test.ts',
  'test/ui/policies.test.ts',
  'test/ui/route.test.ts',
  'test/ui/sanitize.test.ts',
  'test/ui/theme-journeys.test.ts',
];

export default defineConfig({
  test: {
    // Store URIs reach only the store tests (test/support/store-env.ts).
    setupFiles: ['test/support/store-env.ts'],
    // One TMPDIR for the run, removed at its end with whatever a test left behind (test/support/run-temp-dir.ts).
    globalSetup: ['test/support/run-temp-dir.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The threads pool (the unit project's) reads `isolate` here, not from the project: without this
    // every unit file got a fresh worker thread and imported the whole server again.
    poolOptions: { threads: { isolate: false } },
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...UNIT] } },
    ],
  },
});
