/**
 * A small HTTP load balancer on loopback, as operators put in front of several Cairn instances:
 * each request goes to the next upstream in turn; when an upstream refuses the connection (it is
 * down, so the request never reached it) the next one is tried, as load balancers do; any other
 * failure is a 502. Every answer says which upstream gave it (`x-upstream`).
 */
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  name: string;
  /** http://127.0.0.1:<port> */
  origin: string;
}

export interface RoundRobinProxy {
  url: string;
  /** Answers given by each upstream so far. */
  served: Record<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: () => readonly Upstream[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const served: Record<string, number> = {};
  let next = 0;

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    target: Upstream,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const url = new URL(req.url ?? '/', target.origin);
      const out = request(url, { method: req.method, headers: { ...req.headers, host: url.host }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });

  /** Forwards the buffered request to the next upstream that takes the connection. */
  const answer = async (req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> => {
    const list = upstreams();
    const first = next++;
    for (let i = 0; i < list.length; i++) {
      const target = list[(first + i) % list.length] as Upstream;
      try {
        const got = await forward(req, body, target);
        served[target.name] = (served[target.name] ?? 0) + 1;
        const headers = { ...got.headers, 'x-upstream': target.name };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(got.body.length);
        res.writeHead(got.status, headers);
        res.end(got.body);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') continue; // never reached it: try the next
        break;
      }
    }
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 502, reason: 'Bad Gateway', message: 'No upstream answered' }));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
