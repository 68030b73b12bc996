/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package) for the mail tests: records every
 * message it accepts, can require a login, delay its answer to DATA (a slow server), or refuse
 * recipients with a 5xx (or the first few with a 4xx). Also gives a port nobody listens on (a dead server).
 */
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { parseMail } from './eml.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpPeer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Connections opened so far (each send opens one). */
  connections: number;
  /** Resolves once `count` messages have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface PeerOptions {
  /** Wait this long before answering DATA. */
  delayMs?: number;
  /** Require this login. */
  auth?: { user: string; pass: string };
  /** Answer RCPT TO with 550 for these addresses. */
  rejectRecipients?: string[];
  /** Answer the first N recipients with a temporary 451 (then accept). */
  tempFailures?: number;
  /** Implicit TLS with smtp-server's built-in self-signed certificate. */
  secure?: boolean;
}

export async function startSmtpPeer(options: PeerOptions = {}): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const peer = { connections: 0, tempFailures: options.tempFailures ?? 0 };
  const settings: SMTPServerOptions = {
    secure: options.secure ?? false,
    disabledCommands: options.secure ? [] : ['STARTTLS'],
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 500,
    onConnect(_session, callback) {
      peer.connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (peer.tempFailures > 0) {
        peer.tempFailures -= 1;
        callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      } else if (options.rejectRecipients?.includes(address.address)) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const finish = (): void => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          waiters.splice(0).forEach((w) => w());
          callback();
        };
        if (options.delayMs) {
          const t = setTimeout(() => {
            timers.delete(t);
            finish();
          }, options.delayMs);
          timers.add(t);
        } else finish();
      });
    },
  };
  const server = new SMTPServer(settings);
  server.on('error', () => {}); // client resets are expected in the timeout tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const auth = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';
  return {
    port,
    url: `${options.secure ? 'smtps' : 'smtp'}://${auth}127.0.0.1:${port}`,
    received,
    get connections() {
      return peer.connections;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`expected ${count} message(s), got ${received.length}`)), timeoutMs);
        const check = (): void => {
          if (received.length >= count) {
            clearTimeout(deadline);
            resolve(received);
          } else waiters.push(check);
        };
        check();
      });
    },
    close() {
      for (const t of timers) clearTimeout(t);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening: connections are refused at once. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The text of the newest mail to `address` whose text matches `pattern`, waiting up to 10 s for it. */
export async function mailText(smtp: SmtpPeer, address: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = smtp.received
      .filter((m) => m.to.includes(address))
      .map((m) => parseMail(m.raw).text ?? '')
      .filter((t) => pattern.test(t));
    if (found.length > 0) return found[found.length - 1] as string;
    if (Date.now() > deadline) throw new Error(`no mail to ${address}`);
    await smtp.waitFor(smtp.received.length + 1, 10_000).catch(() => undefined);
  }
}
