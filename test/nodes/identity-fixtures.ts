/**
 * Shared data for the identity node tests: a few stored users (active, locked, without password,
 * without e-mail) and `testbed()` returning real node services over a fresh store holding them.
 */
import type { NodeResult } from '../../src/nodes/types.js';
import { createNodeTestbed, type NodeTestbed, type TestbedOptions, type TestUser } from '../support/node-context.js';

export const ALICE: TestUser = {
  _id: 'u-alice',
  userName: 'alice',
  mail: 'alice@example.com',
  password: 'correct horse battery',
  givenName: 'Alice',
  sn: 'Liddell',
  accountStatus: 'active',
  preferences: { marketing: false, updates: true },
  kbaInfo: [{ questionId: '1', answer: 'secret answer' }],
};

export const BOB: TestUser = {
  _id: 'u-bob',
  userName: 'bob',
  mail: 'bob@example.com',
  password: 'bobs long password',
  givenName: 'Bob',
  sn: 'Builder',
  accountStatus: 'active',
  preferences: { marketing: true, updates: true, locale: 'fr' },
};

export const LOCKED: TestUser = {
  _id: 'u-locked',
  userName: 'locked',
  mail: 'locked@example.com',
  password: 'locked password',
  givenName: 'Lou',
  sn: 'Locked',
  accountStatus: 'inactive',
};

export const NO_PASSWORD: TestUser = { _id: 'u-nopass', userName: 'nopass', mail: 'nopass@example.com', accountStatus: 'active' };
export const NO_MAIL: TestUser = { _id: 'u-nomail', userName: 'nomail', password: 'no mail password', accountStatus: 'active' };

export const USERS: readonly TestUser[] = [ALICE, BOB, LOCKED, NO_PASSWORD, NO_MAIL];

export function testbed(options: TestbedOptions = {}): Promise<NodeTestbed> {
  return createNodeTestbed({ users: USERS, ...options });
}

/** The outcome id of an `outcome` result, failing the test otherwise. */
export function outcomeOf(result: NodeResult): string {
  if (result.kind !== 'outcome') throw new Error(`Expected an outcome, got ${JSON.stringify(result)}`);
  return result.outcome;
}

/** An administrator with `roles`, signed in as the administrators' journey signs them in: their session's token. */
export async function operatorSession(t: NodeTestbed, name: string, roles: string[]): Promise<string> {
  const admin = await t.admins.create(name, 'an operator passphrase', roles);
  return (await t.sessions.create({ uid: admin.userName, userId: admin._id, realm: '/', journey: 'AdminLogin', roles: admin.roles })).tokenId;
}
