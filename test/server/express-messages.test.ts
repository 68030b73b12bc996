/**
 * src/server/express-messages.ts: node's HTTP server makes requests and responses that already have
 * express's prototypes, so express's change of prototype does nothing, and everything else stays as
 * express and node have it (methods, `instanceof`, a mounted sub-application's own prototype inside it).
 */
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { expressMessages } from '../../src/server/express-messages.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(app: Express, withOptions: boolean): Promise<{ server: Server; url: string }> {
  const server = withOptions ? createServer(expressMessages(app), app) : createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('expressMessages', () => {
  it('makes requests and responses with the app’s prototypes before express sees them, which express then keeps', async () => {
    const app = express();
    const seen: Record<string, unknown> = {};
    app.get('/x', (req, res) => {
      seen.reqProtoInHandler = Object.getPrototypeOf(req);
      seen.resProtoInHandler = Object.getPrototypeOf(res);
      seen.instances = req instanceof IncomingMessage && res instanceof ServerResponse;
      res.json({ ip: req.ip, path: req.path, query: req.query, app: req.app === app });
    });
    const { server, url } = await serve(app, true);
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.reqProtoAtBirth = Object.getPrototypeOf(req);
      seen.resProtoAtBirth = Object.getPrototypeOf(res);
    });

    const answer = await fetch(`${url}/x?a=1`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ip: '127.0.0.1', path: '/x', query: { a: '1' }, app: true });
    expect(seen.reqProtoAtBirth).toBe(app.request);
    expect(seen.resProtoAtBirth).toBe(app.response);
    expect(seen.reqProtoInHandler).toBe(app.request);
    expect(seen.resProtoInHandler).toBe(app.response);
    expect(seen.instances).toBe(true);
  });

  it('answers as the same app served without it, byte for byte but the date', async () => {
    const answerOf = async (withOptions: boolean): Promise<{ status: number; headers: [string, string][]; body: string }> => {
      const app = express();
      app.use(express.json());
      app.post('/echo', (req, res) => {
        res
          .cookie('c', 'v', { httpOnly: true })
          .status(201)
          .json({ got: req.body as unknown, type: req.is('json'), accepts: req.accepts('json') });
      });
      app.use((_req, res) => {
        res.status(404).send('none');
      });
      const { url } = await serve(app, withOptions);
      const r = await fetch(`${url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{"a":[1,2]}',
      });
      const missing = await fetch(`${url}/nowhere`);
      return {
        status: r.status * 1000 + missing.status,
        headers: [...r.headers].filter(([k]) => k !== 'date'),
        body: `${await r.text()}|${await missing.text()}`,
      };
    };
    const [plain, born] = await Promise.all([answerOf(false), answerOf(true)]);
    expect(born).toEqual(plain);
    expect(born.status).toBe(201404);
  });

  it('still gives a request the prototype of a mounted sub-application inside it, and the app’s after', async () => {
    const app = express();
    const sub = express();
    const seen: unknown[] = [];
    sub.get('/y', (req, _res, next) => {
      seen.push(Object.getPrototypeOf(req) === sub.request, req.app === sub);
      next();
    });
    app.use('/sub', sub);
    app.get('/sub/y', (req, res) => {
      seen.push(Object.getPrototypeOf(req) === app.request, req.app === app);
      res.send('ok');
    });
    const { url } = await serve(app, true);
    expect(await (await fetch(`${url}/sub/y`)).text()).toBe('ok');
    expect(seen).toEqual([true, true, true, true]);
  });

  it('refuses a prototype that does not derive from node’s', () => {
    const app = express();
    app.request = Object.create(null) as Express['request'];
    expect(() => expressMessages(app)).toThrow(/does not derive from IncomingMessage/);
  });
});
