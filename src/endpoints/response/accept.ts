/**
 * Accept headers as upstream reads them (goautoneg): clauses ordered by q, then by
 * specificity (`type/sub` before `type/*` before `*\/*`), ties in header order; q=0 clauses
 * are dropped.
 */
import { parseMediaType, type MediaRange } from '../request/media-type.js';

export type { MediaRange };

function specificity(r: MediaRange): number {
  const [type = '', sub = ''] = r.type.split('/');
  return type === '*' ? 0 : sub === '*' ? 1 : 2;
}

function quality(r: MediaRange): number {
  const q = r.params.q;
  if (q === undefined) return 1;
  const n = Number(q);
  return Number.isFinite(n) ? n : 0;
}

/** Parses an Accept header (missing or empty → `*\/*`) into clauses in preference order. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {} }];
  const clauses = header
    .split(',')
    .map((s) => parseMediaType(s))
    .filter((m) => m.type.length > 0 && quality(m) > 0);
  return clauses
    .map((r, i) => ({ r, i }))
    .sort((a, b) => quality(b.r) - quality(a.r) || specificity(b.r) - specificity(a.r) || a.i - b.i)
    .map((x) => x.r);
}
