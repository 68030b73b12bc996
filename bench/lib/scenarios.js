/**
 * The journeys the benchmark drives, as a client following the AM callbacks protocol would: start with an
 * empty POST, fill the callbacks' inputs, POST the whole step back. Each step's latency is recorded; a
 * journey counts when it ends in success. Anything else (an unexpected status or step) is an error.
 */
import { randomInt } from 'node:crypto';

const AUTH = '/am/json/realms/root/authenticate';
export const journeyPath = (journey) => `${AUTH}?authIndexType=service&authIndexValue=${encodeURIComponent(journey)}`;

/**
 * A strong random password the default policy accepts: mixed classes, and no two neighbouring
 * characters equal or adjacent in code point (so no repetitive or sequential runs).
 */
export function strongPassword(length = 20) {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%*+-?@';
  let out = 'Qz7#';
  while (out.length < length) {
    const c = alphabet[randomInt(alphabet.length)];
    if (Math.abs(c.charCodeAt(0) - out.charCodeAt(out.length - 1)) > 1) out += c;
  }
  return out;
}

class StepError extends Error {}

/** The step's callback of `type`, or a StepError naming what came instead. */
function callback(step, type, nth = 0) {
  const found = (step.json?.callbacks ?? []).filter((c) => c.type === type)[nth];
  if (!found) {
    const got =
      step.json?.callbacks?.map((c) => c.type).join(',') ??
      `HTTP ${step.status} ${String(step.json?.code ?? '')} ${String(step.json?.message ?? '').slice(0, 120)}`;
    throw new StepError(`expected ${type}, got ${got}`);
  }
  return found;
}

function expectSuccess(step, what) {
  if (step.status !== 200 || step.json?.callbacks || !step.json?.successUrl) {
    throw new StepError(
      `${what}: expected success, got HTTP ${step.status} ${step.json?.callbacks ? 'callbacks' : String(step.json?.message ?? '').slice(0, 120)}`,
    );
  }
}

/**
 * `count` users to import. With `passwordHash` (an argon2id hash), every user gets that hash as is (the
 * import then hashes nothing); otherwise each gets a random password, kept for signing in.
 */
export function benchUsers(prefix, count, passwordHash) {
  return Array.from({ length: count }, (_, i) => ({
    userName: `${prefix}-${i}`,
    mail: `${prefix}-${i}@bench.example`,
    givenName: 'Bench',
    sn: `User ${i}`,
    ...(passwordHash ? { passwordHash } : { password: strongPassword() }),
    // Chosen already, so Login's ProgressiveProfile (third sign-in) lets them straight through.
    preferences: { marketing: true, updates: true },
  }));
}

/** The client address of virtual user `n` (sent in X-Forwarded-For to a Cairn trusting the loopback proxy). */
export const addressOf = (n, net = 1) => `10.${net}.${(n >> 8) & 255}.${n & 255}`;

/** The request headers of a client coming from `address` (none when undefined). */
const from = (address) => (address ? { 'X-Forwarded-For': address } : {});

/**
 * POSTs and records the latency; `since` lets an open-loop caller charge the wait before sending;
 * `address` is the client's address, sent in X-Forwarded-For.
 */
async function timedPost(client, stats, path, body, since, address) {
  const t0 = since ?? performance.now();
  const step = await client.post(path, body, { headers: from(address) });
  stats.step(performance.now() - t0);
  return step;
}

/** Login: start, then username + password → tokenId. `user` is { userName, password }. */
export async function loginJourney(client, stats, user, { since, credentialStats, address } = {}) {
  const path = journeyPath('Login');
  const started = since ?? performance.now();
  const first = await timedPost(client, stats, path, undefined, since, address);
  callback(first, 'NameCallback').input[0].value = user.userName;
  callback(first, 'PasswordCallback').input[0].value = user.password;
  const t1 = performance.now();
  const done = await timedPost(client, stats, path, first.json, undefined, address);
  credentialStats?.step(performance.now() - t1);
  if (done.status !== 200 || typeof done.json?.tokenId !== 'string') throw new StepError(`Login: expected a tokenId, got HTTP ${done.status}`);
  stats.journey(performance.now() - started);
}

/** Login's first step only: resolves the authId the client must keep to continue later. */
export async function startLogin(client, stats, address) {
  const first = await timedPost(client, stats, journeyPath('Login'), undefined, undefined, address);
  callback(first, 'PasswordCallback');
  if (typeof first.json.authId !== 'string') throw new StepError('Login: no authId in the first step');
  return first.json;
}

/** Continues a Login started earlier from its kept first step. */
export async function finishLogin(client, stats, firstStep, user, address) {
  const step = { status: 200, json: structuredClone(firstStep) };
  callback(step, 'NameCallback').input[0].value = user.userName;
  callback(step, 'PasswordCallback').input[0].value = user.password;
  const done = await timedPost(client, stats, journeyPath('Login'), step.json, undefined, address);
  if (done.status !== 200 || typeof done.json?.tokenId !== 'string')
    throw new StepError(`Login (resumed): expected a tokenId, got HTTP ${done.status}`);
  stats.journey();
}

/**
 * ResetPassword end to end: ask with the address → "check your e-mail"; read the link from the SMTP sink;
 * resume with an empty body → new-password page; send a new strong password → success.
 * `user` is { mail }; `mailStats` (optional) records the wait for the e-mail; `address` is the client's;
 * `since`, the scheduled start (open loop). The journey's latency is from then to its last answer, without
 * the wait for the e-mail.
 */
export async function resetPasswordJourney(client, stats, user, sink, { mailStats, address, since } = {}) {
  const path = journeyPath('ResetPassword');
  const started = since ?? performance.now();
  const first = await timedPost(client, stats, path, undefined, since, address);
  callback(first, 'StringAttributeInputCallback').input[0].value = user.mail;
  const sent = await timedPost(client, stats, path, first.json, undefined, address);
  callback(sent, 'SuspendedTextOutputCallback');
  const tMail = performance.now();
  const suspendedId = await sink.nextLink(user.mail);
  const mailWait = performance.now() - tMail;
  mailStats?.step(mailWait);
  const resumePath = `${AUTH}?${new URLSearchParams({ suspendedId, authIndexType: 'service', authIndexValue: 'ResetPassword' })}`;
  const page = await timedPost(client, stats, resumePath, undefined, undefined, address);
  callback(page, 'ValidatedCreatePasswordCallback').input[0].value = strongPassword();
  const done = await timedPost(client, stats, path, page.json, undefined, address);
  expectSuccess(done, 'ResetPassword');
  stats.journey(performance.now() - started - mailWait); // the user's waits for Cairn's answers, not for the mail
}

/** BenchProfile: a fresh journey's first page. */
export async function startProfile(client, stats, since, journey = 'BenchProfile', address = undefined) {
  const first = await timedPost(client, stats, journeyPath(journey), undefined, since, address);
  callback(first, 'ChoiceCallback');
  return first.json;
}

/**
 * Submits the BenchProfile page: a first name and "again" (index 0) or "done" (index 1). Resolves the
 * next page (again) or undefined (done, the journey counted).
 */
export async function submitProfile(client, stats, page, { done = false, since, journey = 'BenchProfile', address } = {}) {
  const step = { status: 200, json: page };
  callback(step, 'StringAttributeInputCallback').input[0].value = `Ada${randomInt(1000)}`;
  callback(step, 'ChoiceCallback').input[0].value = done ? 1 : 0;
  const next = await timedPost(client, stats, journeyPath(journey), page, since, address);
  if (done) {
    expectSuccess(next, journey);
    stats.journey();
    return undefined;
  }
  callback(next, 'ChoiceCallback');
  return next.json;
}

/**
 * One closed-loop BenchProfile journey: start, `again` × `loops`, then done. `journey` BenchScript runs
 * the same pages with a Scripted Decision node where BenchProfile has a Success URL node.
 */
export async function profileJourney(client, stats, loops, journey = 'BenchProfile', address = undefined) {
  let page = await startProfile(client, stats, undefined, journey, address);
  for (let i = 0; i < loops; i++) page = await submitProfile(client, stats, page, { journey, address });
  await submitProfile(client, stats, page, { done: true, journey, address });
}
