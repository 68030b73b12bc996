/**
 * A loopback SMTP sink for the benchmark: accepts every message, pulls the `suspendedId` out of its
 * resume link, and hands it to whoever waits for that recipient (or keeps the latest one per recipient
 * until someone asks). Bodies are not stored. Note: smtp-server pauses 100 ms before its greeting on
 * every new connection (early-talker check), so a sender that opens one connection per message pays it.
 */
import { SMTPServer } from 'smtp-server';

const SUSPENDED_ID = /[?&](?:amp;)?suspendedId=([A-Za-z0-9_\-.~%]+)/;

/** Undoes quoted-printable soft breaks and escapes, enough to read a URL from a part. */
function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The suspendedId of the resume link in a raw message, looking through each MIME part as its
 * Content-Transfer-Encoding says (7bit/8bit as is, quoted-printable, base64).
 */
export function suspendedIdOf(raw) {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const split = part.search(/\r?\n\r?\n/);
    const head = split < 0 ? '' : part.slice(0, split);
    const body = split < 0 ? part : part.slice(split);
    const cte = head.match(/content-transfer-encoding:\s*([\w-]+)/i)?.[1]?.toLowerCase();
    const text =
      cte === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : cte === 'base64'
          ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
          : body;
    const m = text.match(SUSPENDED_ID);
    if (m) return decodeURIComponent(m[1]);
  }
  return undefined;
}

export async function startSmtpSink() {
  const latest = new Map(); // recipient → suspendedId not yet taken
  const waiters = new Map(); // recipient → resolve
  let received = 0;
  let withoutLink = 0; // e.g. the "password changed" notice that follows a reset

  const deliver = (recipient, suspendedId) => {
    const waiter = waiters.get(recipient);
    if (waiter) {
      waiters.delete(recipient);
      waiter(suspendedId);
    } else {
      latest.set(recipient, suspendedId);
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        received++;
        const suspendedId = suspendedIdOf(Buffer.concat(chunks).toString('utf8'));
        if (suspendedId === undefined) withoutLink++;
        else for (const rcpt of session.envelope.rcptTo) deliver(rcpt.address.toLowerCase(), suspendedId);
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address();

  return {
    url: `smtp://127.0.0.1:${port}`,
    /** The suspendedId of the next (or a not yet taken) message to `recipient`. */
    nextLink(recipient, timeoutMs = 15_000) {
      const key = recipient.toLowerCase();
      const ready = latest.get(key);
      if (ready !== undefined) {
        latest.delete(key);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`no e-mail for ${recipient} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(key, (id) => {
          clearTimeout(timer);
          resolve(id);
        });
      });
    },
    counts: () => ({ received, withoutLink }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
