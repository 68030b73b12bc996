/**
 * The hosted pages' theme colours for e-mails: `primary` / `onPrimary` of the operator's theme file
 * (CAIRN_UI_THEME_FILE, else the shipped ui/theme.json), re-read when the file changes — as the pages
 * re-read it — so a re-themed deployment's e-mail buttons match its pages without a restart. A value
 * that is not a plain CSS colour (hex, rgb()/hsl(), a name) is ignored: it lands in a style attribute.
 */
import { readFileSync, statSync } from 'node:fs';
import type { MailTheme } from './types.js';

const COLOUR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\(\s*[0-9.,%\s/deg]+\)|[a-z]{3,20})$/i;

export function mailThemeFrom(file: string, fallback: Readonly<MailTheme>): () => MailTheme {
  let cached: { mtimeMs: number; theme: MailTheme } | undefined;
  return () => {
    try {
      const { mtimeMs } = statSync(file);
      if (cached?.mtimeMs === mtimeMs) return cached.theme;
      const colors = (JSON.parse(readFileSync(file, 'utf8')) as { colors?: Record<string, unknown> }).colors ?? {};
      const pick = (name: keyof MailTheme): string => {
        const value = colors[name];
        return typeof value === 'string' && COLOUR.test(value.trim()) ? value.trim() : fallback[name];
      };
      cached = { mtimeMs, theme: { primary: pick('primary'), onPrimary: pick('onPrimary') } };
      return cached.theme;
    } catch {
      return { ...fallback };
    }
  };
}
