/**
 * Node selector terms as upstream matches them (component-helpers nodeaffinity): terms are ORed,
 * a term's requirements ANDed, an empty term matches nothing. matchExpressions test node labels
 * with In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields test `metadata.name` with In/NotIn.
 */
import type { Node } from '../../../gen/k8s/io/api/core/v1/node.js';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../../gen/k8s/io/api/core/v1/pod.js';

function parseInteger(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d+$/.test(s)) return undefined;
  return Number(s);
}

/** Whether `value` (undefined: the key is absent) satisfies one requirement. */
export function matchesRequirement(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const have = parseInteger(value);
      const want = parseInteger(values[0]);
      if (have === undefined || want === undefined || values.length !== 1) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

function fieldValue(node: Node, key: string | undefined): string | undefined {
  return key === 'metadata.name' ? (node.metadata?.name ?? '') : undefined;
}

/** Whether one term matches the node. */
export function matchesTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const req of exprs) {
    if (!matchesRequirement(req, Object.hasOwn(labels, req.key ?? '') ? labels[req.key ?? ''] : undefined)) return false;
  }
  for (const req of fields) {
    if (req.operator !== 'In' && req.operator !== 'NotIn') return false;
    if (!matchesRequirement(req, fieldValue(node, req.key))) return false;
  }
  return true;
}

/** Whether any of the terms matches the node. */
export function matchesAnyTerm(terms: NodeSelectorTerm[] | undefined, node: Node): boolean {
  return (terms ?? []).some((t) => matchesTerm(t, node));
}
