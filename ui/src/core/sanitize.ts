/**
 * Sanitises a Page Node description (HTML written by the journey's administrator) into a tiny tree
 * of allowed nodes: text, a (safe href only), br, p, strong, em, b, i. Everything else is dropped —
 * the contents of script-like elements entirely, other unknown tags keep their text. The view builds
 * DOM nodes from this tree with createElement/textContent, so no HTML string ever reaches innerHTML.
 */

export type SafeNode =
  | { kind: 'text'; text: string }
  | { kind: 'element'; tag: 'p' | 'strong' | 'em' | 'b' | 'i'; children: SafeNode[] }
  | { kind: 'link'; href: string; external: boolean; children: SafeNode[] }
  | { kind: 'br' };

type ContainerTag = 'p' | 'strong' | 'em' | 'b' | 'i' | 'a';

const CONTAINERS = new Set<string>(['p', 'strong', 'em', 'b', 'i', 'a']);
/** Elements whose content is not text for a reader (or is code): dropped with everything inside. */
const DROP_WITH_CONTENT = new Set([
  'script',
  'style',
  'template',
  'iframe',
  'object',
  'noscript',
  'textarea',
  'title',
  'xmp',
  'noembed',
  'noframes',
  'svg',
  'math',
  'select',
  'option',
  'head',
  'plaintext',
  'frameset',
]);
const MAX_INPUT = 20_000;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});?/gi, (match, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? match;
  });
}

/**
 * A link target that is safe to follow: a relative reference (path, query or fragment such as
 * "#/service/Login") or an absolute http(s) URL. Returns the cleaned href or null.
 */
export function safeHref(raw: string): string | null {
  // Browsers ignore ASCII tab/newline inside URLs and trim C0 controls and spaces: so must the check.
  // eslint-disable-next-line no-control-regex -- browsers trim C0 controls, so the check does too
  const href = raw.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (href === '' || href.length > 2048) return null;
  // eslint-disable-next-line no-control-regex -- a link with control characters left inside is refused
  if (/[\u0000-\u001f\u007f]/.test(href)) return null;
  const scheme = /^([^:/?#]*):/.exec(href);
  if (scheme) return /^https?$/i.test(scheme[1] ?? '') && /^https?:\/\/[^/\\]/i.test(href) ? href : null;
  // Scheme-relative ("//host") and backslash tricks ("/\host") leave the site: not relative.
  if (/^[/\\]{2}/.test(href) || /^\/\\/.test(href)) return null;
  return href;
}

export const isExternalHref = (href: string): boolean => /^https?:/i.test(href);

interface OpenElement {
  tag: ContainerTag;
  node: { children: SafeNode[] } | null;
}

/** Parses the description into safe nodes. Never throws; garbage in gives text (or nothing) out. */
export function sanitizeDescription(html: string): SafeNode[] {
  const input = html.length > MAX_INPUT ? html.slice(0, MAX_INPUT) : html;
  const root: SafeNode[] = [];
  const stack: OpenElement[] = [];
  const current = (): SafeNode[] => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const node = stack[i]?.node;
      if (node) return node.children;
    }
    return root;
  };
  const pushText = (text: string): void => {
    if (text === '') return;
    const children = current();
    const last = children[children.length - 1];
    if (last?.kind === 'text') last.text += text;
    else children.push({ kind: 'text', text });
  };
  const closeTo = (index: number): void => {
    stack.length = index;
  };

  let pos = 0;
  while (pos < input.length) {
    const lt = input.indexOf('<', pos);
    if (lt === -1) {
      pushText(decodeEntities(input.slice(pos)));
      break;
    }
    pushText(decodeEntities(input.slice(pos, lt)));
    pos = lt;

    if (input.startsWith('<!--', pos)) {
      const end = input.indexOf('-->', pos + 4);
      pos = end === -1 ? input.length : end + 3;
      continue;
    }
    if (input[pos + 1] === '!' || input[pos + 1] === '?') {
      const end = input.indexOf('>', pos);
      pos = end === -1 ? input.length : end + 1;
      continue;
    }
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(input.slice(pos, pos + 64));
    if (!tag) {
      pushText('<');
      pos += 1;
      continue;
    }
    const closing = tag[1] === '/';
    const name = (tag[2] ?? '').toLowerCase();
    const { attributes, end } = readAttributes(input, pos + tag[0].length);
    pos = end;

    if (closing) {
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i]?.tag === name) {
          closeTo(i);
          break;
        }
      }
      continue;
    }
    if (DROP_WITH_CONTENT.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'i').exec(input.slice(pos));
      pos = close ? pos + close.index + close[0].length : input.length;
      continue;
    }
    if (name === 'br') {
      current().push({ kind: 'br' });
      continue;
    }
    if (!CONTAINERS.has(name)) continue;
    const containerTag = name as ContainerTag;
    // HTML's own rules: a <p> closes an open <p>; links do not nest.
    if (containerTag === 'p') {
      const open = stack.findIndex((e) => e.tag === 'p');
      if (open !== -1) closeTo(open);
    }
    if (containerTag === 'a' && stack.some((e) => e.tag === 'a')) {
      stack.push({ tag: 'a', node: null });
      continue;
    }
    if (containerTag === 'a') {
      const href = safeHref(decodeEntities(attributes.get('href') ?? ''));
      if (href === null) {
        stack.push({ tag: 'a', node: null }); // keep the text, drop the link
        continue;
      }
      const link: SafeNode = { kind: 'link', href, external: isExternalHref(href), children: [] };
      current().push(link);
      stack.push({ tag: 'a', node: link });
      continue;
    }
    const element: SafeNode = { kind: 'element', tag: containerTag, children: [] };
    current().push(element);
    stack.push({ tag: containerTag, node: element });
  }
  return root;
}

/** Reads attributes after a tag name up to the closing '>' (quotes respected). */
function readAttributes(input: string, start: number): { attributes: Map<string, string>; end: number } {
  const attributes = new Map<string, string>();
  const pattern = /\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?|\s*\/|\s*>/gy;
  pattern.lastIndex = start;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(input)) !== null) {
    if (match[0].trimStart() === '>') return { attributes, end: pattern.lastIndex };
    if (match[1] !== undefined) {
      const name = match[1].toLowerCase();
      if (!attributes.has(name)) attributes.set(name, match[2] ?? match[3] ?? match[4] ?? '');
    }
    if (match[0] === '') break;
  }
  const close = input.indexOf('>', start);
  return { attributes, end: close === -1 ? input.length : close + 1 };
}

/** The plain text of safe nodes (for tests, titles and screen-reader summaries). */
export function textOf(nodes: readonly SafeNode[]): string {
  return nodes.map((n) => (n.kind === 'text' ? n.text : n.kind === 'br' ? '\n' : textOf(n.children))).join('');
}

/** Every link target in the tree. */
export function linksOf(nodes: readonly SafeNode[]): string[] {
  return nodes.flatMap((n) => (n.kind === 'link' ? [n.href, ...linksOf(n.children)] : n.kind === 'element' ? linksOf(n.children) : []));
}
