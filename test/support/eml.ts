/**
 * A minimal RFC 822 / MIME reader for the mail tests: unfolds and decodes headers (RFC 2047 B and
 * Q words), splits multipart bodies, and decodes quoted-printable and base64 parts as UTF-8. Enough
 * to read what nodemailer writes; deliberately independent of nodemailer's own code.
 */
export interface MimePart {
  headers: Map<string, string[]>;
  /** The first value of a header, decoded; lower-case name. */
  header(name: string): string | undefined;
  contentType: string;
  /** Decoded body of a leaf part. */
  body: string;
  parts: MimePart[];
}

export interface ParsedMail extends MimePart {
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  /** The raw header block, before decoding, to check that no header was injected. */
  rawHeaders: string;
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BQ]\?[^?]*\?=)\s+(?==\?)/gi, '$1')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_all, _charset: string, enc: string, data: string) =>
      (enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQ(data)).toString('utf8'),
    );
}

function decodeQuotedPrintable(text: string): string {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m?.[1] ?? m?.[2];
}

function parsePart(raw: string): MimePart & { rawHeaders: string } {
  const split = /\r?\n\r?\n/.exec(raw);
  const rawHeaders = split ? raw.slice(0, split.index) : raw;
  const rawBody = split ? raw.slice(split.index + split[0].length) : '';
  const headers = parseHeaders(rawHeaders);
  const header = (name: string): string | undefined => {
    const v = headers.get(name.toLowerCase())?.[0];
    return v === undefined ? undefined : decodeWords(v);
  };
  const typeHeader = headers.get('content-type')?.[0] ?? 'text/plain';
  const contentType = typeHeader.split(';')[0]!.trim().toLowerCase();
  const parts: MimePart[] = [];
  let body = '';
  if (contentType.startsWith('multipart/')) {
    const boundary = param(typeHeader, 'boundary');
    if (boundary) {
      const sections = rawBody.split(`--${boundary}`);
      for (const section of sections.slice(1)) {
        if (section.startsWith('--')) break;
        parts.push(parsePart(section.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
      }
    }
  } else {
    const encoding = (headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
    if (encoding === 'quoted-printable') body = decodeQuotedPrintable(rawBody);
    else if (encoding === 'base64') body = Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8');
    else body = rawBody;
  }
  return { headers, header, contentType, body, parts, rawHeaders };
}

function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}

export function parseMail(raw: string | Buffer): ParsedMail {
  const root = parsePart(typeof raw === 'string' ? raw : raw.toString('utf8'));
  const all = leaves(root);
  return {
    ...root,
    subject: root.header('subject'),
    text: all.find((p) => p.contentType === 'text/plain')?.body,
    html: all.find((p) => p.contentType === 'text/html')?.body,
  };
}
