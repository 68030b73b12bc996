/**
 * The clients file is checked once at start, every problem named with the entry it is in; a server
 * with a bad file does not start.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientProblems, loadClients } from '../../src/oauth/clients.js';
import { StartupError } from '../../src/server/start.js';
import { startTestServer } from '../support/server.js';

const good = { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example.com/cb'] };

describe('the clients file', () => {
  it('accepts public and confidential clients and fills the defaults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-clients-'));
    const file = join(dir, 'clients.json');
    await writeFile(file, JSON.stringify([good, { client_id: 'web', client_secret: 'x'.repeat(40), redirect_uris: ['https://web.example.com/cb'] }]));
    const { clients, problems } = await loadClients(file);
    expect(problems).toEqual([]);
    expect(clients[0]).toMatchObject({
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      response_types: ['code'],
      scope: 'openid profile email',
    });
    expect(clients[1]).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'] });
  });

  it('names every problem at once', () => {
    const problems = clientProblems(
      [
        good,
        { ...good },
        { client_id: 'nosecret', token_endpoint_auth_method: 'client_secret_post', redirect_uris: ['https://a.example/cb'] },
        {
          client_id: 'public',
          token_endpoint_auth_method: 'none',
          client_secret: 'y'.repeat(40),
          redirect_uris: ['https://a.example/cb#frag', 'not a url'],
        },
        { client_id: 'scopes', token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/cb'], scope: 'openid admin' },
      ],
      'clients.json',
    );
    expect(problems).toEqual([
      'clients.json: client "spa" (entry 1) repeats a client_id.',
      'clients.json: client "nosecret" (entry 2): token_endpoint_auth_method "client_secret_post" needs a client_secret of at least 32 characters.',
      'clients.json: client "public" (entry 3): redirect_uris "https://a.example/cb#frag" must not have a fragment.',
      'clients.json: client "public" (entry 3): redirect_uris "not a url" is not an absolute URL.',
      'clients.json: client "public" (entry 3): a public client (token_endpoint_auth_method "none") has no client_secret.',
      'clients.json: client "scopes" (entry 4): scope "admin" is not one of openid, profile, email, offline_access.',
    ]);
  });

  it('names shape errors with the entry and field', () => {
    const problems = clientProblems([{ client_id: 'x', redirect_uris: [], colour: 'blue' }, { redirect_uris: ['https://a/cb'] }], 'c.json');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('entry 0 must NOT have additional properties (colour)'),
        expect.stringContaining('entry 0.redirect_uris must NOT have fewer than 1 items'),
        expect.stringContaining("entry 1 must have required property 'client_id'"),
      ]),
    );
    expect(clientProblems({ not: 'an array' }, 'c.json')).toEqual(['c.json: the file must be array.']);
  });

  it('stops the server from starting, with the problems', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-clients-'));
    const file = join(dir, 'clients.json');
    await writeFile(file, JSON.stringify([{ client_id: 'bad id!', redirect_uris: ['https://a/cb'] }]));
    const started = startTestServer({ CAIRN_OAUTH_CLIENTS_FILE: file });
    await expect(started).rejects.toBeInstanceOf(StartupError);
    await expect(started).rejects.toMatchObject({ details: [expect.stringContaining('entry 0.client_id must match pattern')] });
    await writeFile(file, '[{');
    await expect(startTestServer({ CAIRN_OAUTH_CLIENTS_FILE: file })).rejects.toMatchObject({
      details: [expect.stringContaining('is not valid JSON')],
    });
  });
});
