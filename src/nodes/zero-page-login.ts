/**
 * Zero Page Login Collector (AM `ZeroPageLoginNode`): takes the username and password from request
 * headers (`X-OpenAM-Username`, `X-OpenAM-Password` by default; RFC 2047 encoded words are decoded, as
 * AM does) into shared `username` and transient `password`: `true` ("Has Credentials"); `false` ("No
 * Credentials") when neither header is there or the request is not allowed.
 *
 * Which requests are allowed, safer than AM by default: a request with a `Referer` must come from the
 * referer allow-list (an entry is a full referer, or an origin such as `https://app.example.com` that
 * matches any page of it) — AM checks the list only when "Allow Without Referer" is off, so by default it
 * takes credentials from any page of any site; a request without a `Referer` is allowed when
 * `allowWithoutReferer` is on (AM's default, for non-browser clients).
 */
import { defineNode, type NodeContext } from './types.js';

export interface ZeroPageLoginConfig {
  usernameHeader: string;
  passwordHeader: string;
  allowWithoutReferer: boolean;
  referrerWhiteList: string[];
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`); text without any is returned as is. */
export function decodeMimeWords(value: string): string {
  // White space between two encoded words is not part of the text (RFC 2047 §6.2).
  return value.replace(/\?=\s+=\?/g, '?==?').replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
    const cs = charset.toLowerCase().split('*')[0];
    if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
    if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii') return bytes.toString('latin1');
    return word; // an unknown charset is left encoded
  });
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

function refererAllowed(referer: string, allowList: readonly string[]): boolean {
  const origin = originOf(referer);
  return allowList.some((entry) => {
    if (entry === referer) return true;
    // An entry that is an origin alone (`https://app.example.com`, with or without "/") allows its every page.
    const entryOrigin = originOf(entry);
    return entryOrigin !== undefined && entry.replace(/\/$/, '') === entryOrigin && origin === entryOrigin;
  });
}

function requestAllowed(ctx: NodeContext<ZeroPageLoginConfig>): boolean {
  const referer = ctx.request.headers['referer'];
  if (referer === undefined || referer === '') return ctx.config.allowWithoutReferer;
  return refererAllowed(referer, ctx.config.referrerWhiteList);
}

export const zeroPageLoginNode = defineNode<ZeroPageLoginConfig>({
  type: 'ZeroPageLoginNode',
  displayName: 'Zero Page Login Collector',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      usernameHeader: {
        title: 'Username header name',
        description: 'The request header carrying the username.',
        type: 'string',
        minLength: 1,
        default: 'X-OpenAM-Username',
      },
      passwordHeader: {
        title: 'Password header name',
        description: 'The request header carrying the password.',
        type: 'string',
        minLength: 1,
        default: 'X-OpenAM-Password',
      },
      allowWithoutReferer: {
        title: 'Allow without referer',
        description: 'Take credentials from requests without a Referer header (non-browser clients).',
        type: 'boolean',
        default: true,
      },
      referrerWhiteList: {
        title: 'Referer allow-list',
        description:
          'Pages (full URLs) or origins (https://app.example.com) whose requests may carry credentials. A request with any other Referer gets "No Credentials" (Cairn checks it whatever "Allow without referer" says).',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        default: [],
      },
    },
  },
  outcomes: [
    { id: 'true', displayName: 'Has Credentials' },
    { id: 'false', displayName: 'No Credentials' },
  ],

  async process(ctx) {
    const username = ctx.request.headers[ctx.config.usernameHeader.toLowerCase()];
    const password = ctx.request.headers[ctx.config.passwordHeader.toLowerCase()];
    if ((username === undefined && password === undefined) || !requestAllowed(ctx)) return { kind: 'outcome', outcome: 'false' };
    if (username !== undefined) ctx.shared['username'] = decodeMimeWords(username);
    if (password !== undefined) ctx.transient['password'] = decodeMimeWords(password);
    return { kind: 'outcome', outcome: 'true' };
  },
});
