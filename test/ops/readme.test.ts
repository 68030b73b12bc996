/**
 * README stays true: its settings table is the one generated from the settings schema, and it opens
 * with the two commands a fresh clone needs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsMarkdown } from '../../src/config/settings.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('documents every setting, as generated from src/config/settings.ts', () => {
    const block = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(README)?.[1];
    expect(block).toBe(settingsMarkdown());
  });

  it('starts with the two commands of a fresh clone', () => {
    const commands = [...README.matchAll(/```sh\n(.*)\n```/g)].map((m) => m[1]);
    expect(commands.slice(0, 2)).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });
});

describe('journeys/README.md', () => {
  it('holds the diagrams generated from the shipped journeys', async () => {
    const { execFileSync } = await import('node:child_process');
    const root = join(import.meta.dirname, '..', '..');
    const generated = execFileSync('node', [join(root, 'bin', 'cairn.js'), 'journeys', 'diagram', 'journeys/'], { cwd: root, encoding: 'utf8' });
    expect(readFileSync(join(root, 'journeys', 'README.md'), 'utf8')).toContain(generated.trim());
  });
});

describe('README audit events', () => {
  it('lists every event the server records', async () => {
    const { readdirSync } = await import('node:fs');
    const src = join(import.meta.dirname, '..', '..', 'src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const recorded = new Set<string>();
    for (const f of files) {
      for (const line of readFileSync(join(src, f), 'utf8').split('\n')) {
        // Recorded directly, or returned by a node as an audit effect.
        if (!line.includes('.record(') && !line.includes('auditEffect(')) continue;
        for (const m of line.matchAll(/'([a-z]+\.[a-z]+(?:\.[a-z]+)?)'/g)) recorded.add(m[1] as string);
      }
    }
    expect(recorded.size).toBeGreaterThan(15);
    const section = /- Audit events \(JSON lines\):([\s\S]*?)They never carry/.exec(README)?.[1] ?? '';
    const listed = new Set([...section.matchAll(/`([a-z.]+)`/g)].map((m) => m[1]));
    expect([...recorded].filter((e) => !listed.has(e))).toEqual([]);
    expect([...listed].filter((e) => !recorded.has(e as string))).toEqual([]);
  });
});
