/**
 * The managed-object schema: the shipped config/managed.json through IdentitySchemaPort, and clear errors
 * (file name + JSON pointer) for broken files written to a temporary directory.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManagedSchema, ManagedSchema, ManagedSchemaError } from '../../src/identity/schema.js';
import type { IdentitySchemaPort } from '../../src/identity/ports.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` to a temp file and returns the error loading it raises. */
async function loadError(name: string, content: string): Promise<ManagedSchemaError> {
  const file = join(dir, name);
  await writeFile(file, content);
  const error = await loadManagedSchema(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManagedSchemaError);
  const schemaError = error as ManagedSchemaError;
  expect(schemaError.file).toBe(file);
  expect(schemaError.message).toContain(file);
  return schemaError;
}

const userWith = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ objects: [{ name: 'user', schema: { type: 'object', properties, ...extra } }] });

describe('shipped managed.json', () => {
  let schema: ManagedSchema;
  beforeAll(async () => {
    schema = await loadManagedSchema();
  });

  it('serves managed/user through IdentitySchemaPort', () => {
    const port: IdentitySchemaPort = schema;
    expect(schema.resources()).toEqual(['managed/user']);
    expect(port.requiredProperties('managed/user')).toEqual(['userName', 'mail']);
    expect(port.property('managed/user', 'userName')).toMatchObject({
      name: 'userName',
      type: 'string',
      title: { en: 'Username', fr: 'Nom d’utilisateur' },
      required: true,
      nullable: false,
      viewable: true,
      userEditable: true,
    });
    // Titles are locale maps (IDM's localised schema), resolved per request by the nodes; the English
    // ones are IDM's stock titles, which AIC's answers carry.
    expect(port.property('managed/user', 'mail')?.title).toEqual({ en: 'Email Address', fr: 'Adresse e-mail' });
    expect(port.property('managed/user', 'givenName')?.title).toEqual({ en: 'First Name', fr: 'Prénom' });
    expect(port.property('managed/user', 'sn')?.title).toEqual({ en: 'Last Name', fr: 'Nom' });
    expect(port.property('managed/user', 'password')).toMatchObject({
      title: { en: 'Password', fr: 'Mot de passe' },
      viewable: false,
      required: false,
    });
  });

  it('resolves nested paths with "/" and names the preference prompts', () => {
    expect(schema.property('managed/user', 'preferences/updates')).toMatchObject({
      name: 'preferences/updates',
      type: 'boolean',
      title: { en: 'Send me news and updates', fr: 'M’envoyer des nouvelles et des mises à jour' },
    });
    expect(schema.property('managed/user', '/preferences/marketing')?.title).toMatchObject({ en: 'Send me special offers and services' });
    expect(schema.property('managed/user', 'preferences/nothing')).toBeUndefined();
    expect(schema.property('managed/user', 'kbaInfo')?.type).toBe('array');
  });

  it('exposes unique fields, types and the accountStatus default', () => {
    expect(schema.uniqueProperties('managed/user')).toEqual(['userName', 'mail']);
    expect(schema.propertyTypes('managed/user')).toMatchObject({
      _id: 'string',
      userName: 'string',
      accountStatus: 'string',
      kbaInfo: 'array',
      preferences: 'object',
      'preferences/marketing': 'boolean',
    });
    expect(schema.property('managed/user', 'accountStatus')?.default).toBe('active');
  });

  it('answers nothing for resources it does not hold', () => {
    expect(schema.hasResource('managed/user')).toBe(true);
    expect(schema.hasResource('managed/alpha_user')).toBe(false);
    expect(schema.hasResource('user')).toBe(false);
    expect(schema.property('managed/alpha_user', 'userName')).toBeUndefined();
    expect(schema.requiredProperties('managed/alpha_user')).toEqual([]);
  });
});

describe('schema files', () => {
  it('reads nullable types, per-property required flags and the order', () => {
    const schema = ManagedSchema.parse(
      JSON.parse(
        userWith(
          {
            nick: { type: ['string', 'null'], title: 'Nickname' },
            age: { type: 'integer', required: true },
            tags: { type: 'array', items: { type: 'string' } },
          },
          { order: ['tags', 'age'] },
        ),
      ),
      'inline',
    );
    expect(schema.property('managed/user', 'nick')).toMatchObject({ type: 'string', nullable: true, types: ['string', 'null'], required: false });
    expect(schema.requiredProperties('managed/user')).toEqual(['age']);
    expect(schema.properties('managed/user').map((p) => p.name)).toEqual(['tags', 'age', 'nick']);
  });

  it('names the file for unreadable and non-JSON files', async () => {
    const missing = join(dir, 'absent.json');
    await expect(loadManagedSchema(missing)).rejects.toThrow(new RegExp(`${missing}[\\s\\S]*cannot read the file \\(ENOENT\\)`));
    const notJson = await loadError('broken.json', '{"objects": [');
    expect(notJson.problems[0]?.message).toMatch(/not valid JSON/);
  });

  it('points at unknown policies and missing params', async () => {
    const error = await loadError(
      'policies.json',
      userWith({
        userName: {
          type: 'string',
          policies: [{ policyId: 'minimum-length' }, { policyId: 'no-such-policy' }, { policyId: 'valid-username', params: { x: 1 } }],
        },
      }),
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { pointer: '/objects/0/schema/properties/userName/policies/0', message: 'missing "params"' },
        {
          pointer: '/objects/0/schema/properties/userName/policies/1/policyId',
          message: expect.stringMatching(/unknown or missing policyId/) as unknown,
        },
        { pointer: '/objects/0/schema/properties/userName/policies/2/params', message: 'unexpected key "x"' },
      ]),
    );
  });

  it('takes titles and descriptions as a text or a locale map, and points at anything else', async () => {
    const ok = join(dir, 'localised.json');
    await writeFile(ok, userWith({ nick: { type: 'string', title: { en: 'Nickname', 'fr-CA': 'Surnom' }, description: 'A short name' } }));
    expect((await loadManagedSchema(ok)).property('managed/user', 'nick')).toMatchObject({
      title: { en: 'Nickname', 'fr-CA': 'Surnom' },
      description: 'A short name',
    });
    for (const title of [{ en: 5 }, {}, ['Nickname'], { 'not a tag': 'x' }]) {
      const bad = await loadError('bad-title.json', userWith({ nick: { type: 'string', title } }));
      expect(bad.problems.map((p) => p.pointer)).toContain('/objects/0/schema/properties/nick/title');
    }
  });

  it('points at wrong param types and a missing objects list', async () => {
    const wrongParam = await loadError(
      'params.json',
      userWith({ password: { type: 'string', policies: [{ policyId: 'minimum-length', params: { minLength: 'eight' } }] } }),
    );
    expect(wrongParam.problems).toContainEqual({
      pointer: '/objects/0/schema/properties/password/policies/0/params/minLength',
      message: 'must be integer',
    });
    const noObjects = await loadError('empty.json', '{}');
    expect(noObjects.problems).toEqual([{ pointer: '', message: 'missing "objects"' }]);
  });

  it('checks meaning: declared names, supported types, valid regular expressions, unique object names', async () => {
    const error = await loadError(
      'meaning.json',
      JSON.stringify({
        objects: [
          {
            name: 'user',
            schema: {
              required: ['userName', 'ghost'],
              order: ['phantom'],
              properties: {
                userName: { type: 'string' },
                roles: { type: 'relationship' },
                status: { type: 'string', policies: [{ policyId: 'regexpMatches', params: { regexp: '(' } }] },
                prefs: { type: 'object', required: ['missing'], properties: { a: { type: 'boolean' } } },
                nothing: { type: 'null' },
              },
            },
          },
          { name: 'user', schema: { properties: {} } },
        ],
      }),
    );
    expect(error.problems.map((p) => p.pointer)).toEqual([
      '/objects/0/schema/required/1',
      '/objects/0/schema/order/0',
      '/objects/0/schema/properties/roles/type',
      '/objects/0/schema/properties/status/policies/0/params/regexp',
      '/objects/0/schema/properties/prefs/required/0',
      '/objects/0/schema/properties/nothing/type',
      '/objects/1/name',
    ]);
    expect(error.problems[2]?.message).toMatch(/relationship properties are not supported/);
    expect(error.message).toMatch(/"ghost" is not a declared property/);
  });
});
