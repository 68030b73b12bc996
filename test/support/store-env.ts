/**
 * Vitest setup (every test file): the database URIs a developer or .ci/run exports for the store tests
 * (CAIRN_POSTGRES_URI, CAIRN_MONGODB_URI) are Cairn's own settings too, so a test that starts the
 * `cairn` command with `{...process.env}` would silently point it at the test server. They move to
 * CAIRN_TEST_POSTGRES_URI / CAIRN_TEST_MONGODB_URI, which only the store tests read.
 */
for (const name of ['CAIRN_POSTGRES_URI', 'CAIRN_MONGODB_URI']) {
  const value = process.env[name];
  if (value) process.env[name.replace('CAIRN_', 'CAIRN_TEST_')] ??= value;
  delete process.env[name];
}
