/**
 * The node registry lists every node module: each descriptor exported by a file of src/nodes/ is
 * registered once, under its AM type id, with a config schema and outcomes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeRegistry, NODE_DESCRIPTORS } from '../../src/nodes/index.js';
import type { NodeDescriptor } from '../../src/nodes/types.js';

const NODES_DIR = join(import.meta.dirname, '..', '..', 'src', 'nodes');
const NOT_NODES = new Set(['index.ts', 'types.ts', 'services.ts']);

describe('node registry', () => {
  it('registers every descriptor exported from src/nodes/', async () => {
    const exported: NodeDescriptor[] = [];
    for (const file of readdirSync(NODES_DIR).filter((f) => f.endsWith('.ts') && !NOT_NODES.has(f))) {
      const mod = (await import(join(NODES_DIR, file))) as Record<string, unknown>;
      const found = Object.values(mod).filter(
        (v): v is NodeDescriptor =>
          !!v &&
          typeof v === 'object' &&
          typeof (v as NodeDescriptor).type === 'string' &&
          // Exactly one of: code to run, or another journey to run (Inner Tree Evaluator).
          (typeof (v as NodeDescriptor).process === 'function') !== (typeof (v as NodeDescriptor).innerJourney === 'function'),
      );
      expect(found.length, `${file} exports a node descriptor`).toBeGreaterThan(0);
      exported.push(...found);
    }
    for (const d of exported) expect(NODE_DESCRIPTORS, `${d.type} is registered`).toContain(d);
    expect(new Set(NODE_DESCRIPTORS.map((d) => d.type)).size).toBe(NODE_DESCRIPTORS.length);
  });

  it('gives each node an AM type id, a display name, a config schema and outcomes', () => {
    const registry = createNodeRegistry();
    for (const [type, d] of registry) {
      expect(type).toMatch(/^[A-Z][A-Za-z]+Node$/);
      expect(d.displayName.length).toBeGreaterThan(2);
      expect(d.configSchema).toMatchObject({ type: 'object' });
    }
    expect(() => createNodeRegistry([...NODE_DESCRIPTORS, NODE_DESCRIPTORS[0] as NodeDescriptor])).toThrow(/registered twice/);
  });
});
