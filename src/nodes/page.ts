/**
 * Page Node: shows several nodes on one page. Every submission re-runs all children in order with
 * the callbacks addressed to them (routed by `_id`); when any child still needs input, the page
 * answers with the callbacks of every input-taking child plus its header, description and stage;
 * otherwise it leaves by the outcome of its last child (Page Node 2.0: `<childId>-<outcome>`). The
 * children's effects leave with the answer. `stage` reaches the client as AM sends it: PingOne AIC keeps
 * the page's display settings there as JSON (`themeId`, `pageFooter`, `submitButtonText`, per-callback
 * flags such as `confirmPassword`).
 */
import type { Callback } from '../callbacks/types.js';
import { PAGE_NODE_2, type LocalizedText } from '../journeys/model.js';
import { defineNode, type ChildNodeRef, type NodeResult } from './types.js';

export interface PageNodeConfig {
  pageHeader: LocalizedText;
  pageDescription: LocalizedText;
  stage?: string;
  nodes: ChildNodeRef[];
}

/** `_id` of each sent callback → index of the child that sent it. */
const ROUTES = 'pageNodeCallbacks';

export const pageNode = defineNode<PageNodeConfig>({
  type: 'PageNode',
  displayName: 'Page Node',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['nodes'],
    properties: {
      pageHeader: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      pageDescription: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      stage: { type: 'string' },
      nodes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['_id', 'nodeType'],
          additionalProperties: false,
          properties: {
            _id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' },
            nodeType: { type: 'string', minLength: 1 },
            displayName: { type: 'string' },
            config: { type: 'object' },
            am: { description: 'Kept from AM exports for the round trip; not used by Cairn.', type: 'object' },
          },
        },
      },
    },
  },
  outcomes: [], // a page leaves by the outcomes of its last child (see NodeDescriptor.children)
  multipleCallbacks: true,
  allowedInPage: false,
  children: (config) => config.nodes,

  async process(ctx) {
    const children = ctx.config.nodes;
    const routes = (ctx.local[ROUTES] as Record<string, number> | undefined) ?? {};
    let perChild: Callback[][] | undefined;
    if (ctx.callbacks) {
      perChild = children.map(() => []);
      for (const cb of ctx.callbacks) {
        const index = routes[String(cb._id)];
        if (index !== undefined) perChild[index]?.push(stripId(cb));
      }
    }
    const results: NodeResult[] = [];
    for (const [i, child] of children.entries()) {
      const given = perChild?.[i];
      results.push(await ctx.processChild(child, given && given.length > 0 ? given : undefined));
    }
    for (const r of results) {
      if (r.kind === 'suspend') throw new Error(`A node inside a Page Node returned "${r.kind}", which a page cannot do.`);
    }
    // Every child's effects leave with the page's answer, in the children's order.
    const effects = results.flatMap((r) => r.effects ?? []);
    const withEffects = <R extends NodeResult>(r: R): R => (effects.length > 0 ? { ...r, effects } : r);
    if (!results.some((r) => r.kind === 'callbacks')) {
      delete ctx.local[ROUTES];
      const decided = results[results.length - 1] as NodeResult;
      const last = children[children.length - 1] as ChildNodeRef;
      // Page Node 2.0 names its outcomes after the child that decided: `<childId>-<outcome>`.
      if (decided.kind === 'outcome' && ctx.nodeVersion === PAGE_NODE_2)
        return withEffects({ ...decided, outcome: `${last._id}-${decided.outcome}` });
      return withEffects(decided);
    }
    // Some child needs input: show the whole page again, re-rendering children that accepted theirs
    // (a re-rendering only draws callbacks; its effects were already taken from the run above).
    const sent: Callback[] = [];
    const nextRoutes: Record<string, number> = {};
    for (const [i, child] of children.entries()) {
      let r = results[i] as NodeResult;
      if (r.kind !== 'callbacks' && perChild?.[i]?.length) r = await ctx.processChild(child, undefined);
      if (r.kind !== 'callbacks') continue;
      for (const cb of r.callbacks) {
        nextRoutes[String(sent.length)] = i;
        sent.push({ ...cb, _id: sent.length });
      }
    }
    ctx.local[ROUTES] = nextRoutes;
    return withEffects({
      kind: 'callbacks',
      callbacks: sent,
      header: ctx.localize(ctx.config.pageHeader),
      description: ctx.localize(ctx.config.pageDescription),
      stage: ctx.config.stage ?? '',
    });
  },
});

function stripId(cb: Callback): Callback {
  const { _id, ...rest } = cb;
  void _id;
  return rest;
}
