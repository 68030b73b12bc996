// The Page Node description sanitiser: allowed markup survives, every XSS payload comes out inert.
import { describe, expect, it } from 'vitest';
import { linksOf, safeHref, sanitizeDescription, textOf, type SafeNode } from '../../ui/src/core/sanitize.js';

/** Every tag and attribute that could reach the DOM, flattened, to assert nothing else exists. */
function shapes(nodes: readonly SafeNode[]): string[] {
  return nodes.flatMap((n) =>
    n.kind === 'text'
      ? []
      : n.kind === 'br'
        ? ['br']
        : n.kind === 'link'
          ? [`a[href=${n.href}]`, ...shapes(n.children)]
          : [n.tag, ...shapes(n.children)],
  );
}

describe('sanitizeDescription', () => {
  it('keeps the stock Login description links, including the XUI hash routes', () => {
    const html =
      'New here? <a href="#/service/Registration">Create an account</a><br><a href="#/service/ForgottenUsername">Forgot username?</a><a href="#/service/ResetPassword"> Forgot password?</a>';
    const nodes = sanitizeDescription(html);
    expect(linksOf(nodes)).toEqual(['#/service/Registration', '#/service/ForgottenUsername', '#/service/ResetPassword']);
    expect(textOf(nodes)).toBe('New here? Create an account\nForgot username? Forgot password?');
    expect(shapes(nodes)).toEqual(['a[href=#/service/Registration]', 'br', 'a[href=#/service/ForgottenUsername]', 'a[href=#/service/ResetPassword]']);
  });

  it('keeps p, strong, em, b, i nested as written and decodes entities into text', () => {
    const nodes = sanitizeDescription('<p>Hello <strong>dear <em>user</em></strong> &amp; <b>b</b><i>i</i> &lt;3 &#x41;&#66;</p>');
    expect(shapes(nodes)).toEqual(['p', 'strong', 'em', 'b', 'i']);
    expect(textOf(nodes)).toBe('Hello dear user & bi <3 AB');
  });

  const payloads: [string, string][] = [
    ['<script>alert(1)</script>Hi', 'Hi'],
    ['<img src=x onerror=alert(1)>Hi', 'Hi'],
    ['<svg onload=alert(1)><script>alert(2)</script></svg>Hi', 'Hi'],
    ['<a href="javascript:alert(1)">Hi</a>', 'Hi'],
    ['<a href="  JaVaScRiPt:alert(1)">Hi</a>', 'Hi'],
    ['<a href="java&#x09;script:alert(1)">Hi</a>', 'Hi'],
    ['<a href="java\tscript:alert(1)">Hi</a>', 'Hi'],
    ['<a href="&#106;avascript:alert(1)">Hi</a>', 'Hi'],
    ['<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Hi</a>', 'Hi'],
    ['<a href="vbscript:msgbox(1)">Hi</a>', 'Hi'],
    ['<a href="//evil.example/">Hi</a>', 'Hi'],
    ['<a href="/\\evil.example/">Hi</a>', 'Hi'],
    ['<a href="http:evil">Hi</a>', 'Hi'],
    ['<p onclick="alert(1)" style="color:red">Hi</p>', 'Hi'],
    ['<iframe src="https://evil.example"></iframe>Hi', 'Hi'],
    ['<style>body{display:none}</style>Hi', 'Hi'],
    ['<a href="#" onmouseover="alert(1)">Hi</a>', 'Hi'],
    ['<!-- <script>alert(1)</script> -->Hi', 'Hi'],
    ['<scr<script>ipt>alert(1)</script>Hi', 'ipt>alert(1)Hi'],
    ['<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>Hi', ''],
    ['<form action="https://evil.example"><input name=x><button>Hi</button></form>', 'Hi'],
    ['<object data="x.swf"></object><embed src="x.swf">Hi', 'Hi'],
    ['<a href="https://ok.example/" target="_blank" rel="opener">Hi</a>', 'Hi'],
  ];

  it.each(payloads)('neutralises %s', (payload, text) => {
    const nodes = sanitizeDescription(payload);
    expect(textOf(nodes)).toBe(text);
    for (const shape of shapes(nodes)) expect(shape).toMatch(/^(p|strong|em|b|i|br|a\[href=(#|https:\/\/ok\.example\/)\S*\])$/);
  });

  it('marks absolute http(s) links as external and keeps relative ones in place', () => {
    const nodes = sanitizeDescription('<a href="https://example.com/help">Help</a> <a href="?authIndexValue=Login">Login</a>');
    expect(nodes[0]).toMatchObject({ kind: 'link', href: 'https://example.com/help', external: true });
    expect(nodes[2]).toMatchObject({ kind: 'link', href: '?authIndexValue=Login', external: false });
  });

  it('never nests links and survives unclosed or stray tags', () => {
    expect(shapes(sanitizeDescription('<a href="#a">one <a href="#b">two</a> three'))).toEqual(['a[href=#a]']);
    expect(textOf(sanitizeDescription('</p></strong>a < b > c <strong>open'))).toBe('a < b > c open');
  });
});

describe('safeHref', () => {
  it('accepts relative references and http(s) URLs only', () => {
    expect(safeHref('#/service/Login')).toBe('#/service/Login');
    expect(safeHref('/login/?authIndexValue=Login')).toBe('/login/?authIndexValue=Login');
    expect(safeHref('https://example.com/x')).toBe('https://example.com/x');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('mailto:a@example.com')).toBeNull();
    expect(safeHref('//example.com')).toBeNull();
    expect(safeHref('')).toBeNull();
  });
});
