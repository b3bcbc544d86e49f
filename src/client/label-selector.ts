/**
 * Label selector text as the API takes it (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), parsed
 * into a predicate for cache reads.
 */
export type LabelPredicate = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string): LabelPredicate {
  const terms: LabelPredicate[] = [];
  for (const raw of splitTerms(text)) {
    const term = raw.trim();
    if (term === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim()).filter((v) => v !== '');
      terms.push(op === 'in' ? (l) => key in l && values.includes(l[key] as string) : (l) => !(key in l) || !values.includes(l[key] as string));
    } else if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(term))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      terms.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      const key = m[1] as string;
      terms.push((l) => !(key in l));
    } else if (/^\S+$/.test(term)) {
      terms.push((l) => term in l);
    } else {
      throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
    }
  }
  return (labels) => terms.every((t) => t(labels));
}

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
