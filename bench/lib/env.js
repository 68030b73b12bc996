/**
 * A positive number from the environment variable `name` (`fallback` when unset or empty; a whole number with
 * `integer`), or the harness `tool` stops with a sentence naming the variable and exit status 2.
 */
export function positiveEnv(tool, name, fallback, { integer = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (integer ? !Number.isInteger(n) || n < 1 : !Number.isFinite(n) || n <= 0) {
    process.stderr.write(`${tool}: ${name} must be a positive ${integer ? 'integer' : 'number'}, not "${raw}".\n`);
    process.exit(2);
  }
  return n;
}
