/**
 * A Mermaid flowchart of a journey, generated from its JSON: one box per node (a Page Node lists its
 * children), one arrow per connection labelled with its outcome, Success and Failure as terminals.
 */
import { terminalOf, type Journey, type JourneyNode, type PageChildNode } from './model.js';

const label = (s: string): string => s.replace(/["<>]/g, (c) => ({ '"': '#quot;', '<': '#lt;', '>': '#gt;' })[c] as string);
const idOf = (id: string): string => `n_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;

export function mermaidOf(journey: Journey): string {
  const lines = ['flowchart LR', `  start(("${label(journey._id)}")) --> ${targetOf(journey.entryNodeId)}`];
  for (const [id, node] of Object.entries(journey.nodes)) {
    lines.push(`  ${idOf(id)}["${boxText(id, node)}"]`);
    for (const [outcome, target] of Object.entries(node.connections)) lines.push(`  ${idOf(id)} -- "${label(outcome)}" --> ${targetOf(target)}`);
  }
  lines.push('  Success(["Success"])', '  Failure(["Failure"])', '  classDef terminal fill:#e7f5ea,stroke:#2f855a;', '  class Success terminal;');
  return lines.join('\n');
}

function targetOf(target: string): string {
  return terminalOf(target) ?? idOf(target);
}

/** The box text: names escaped, the line breaks are Mermaid's own markup. */
function boxText(id: string, node: JourneyNode): string {
  const title = `${label(node.displayName ?? id)}<br/><small>${label(node.nodeType)}</small>`;
  const children = (node.config?.nodes as PageChildNode[] | undefined) ?? [];
  if (node.nodeType !== 'PageNode' || children.length === 0) return title;
  return `${title}<br/>${children.map((c) => `• ${label(c.displayName ?? c._id)} (${label(c.nodeType)})`).join('<br/>')}`;
}
