/**
 * Label selectors in their string form (`a=b,c!=d,e in (f,g),!h,i`), parsed once and
 * matched against `metadata.labels`. Grammar and semantics follow apimachinery's
 * `labels.Parse`.
 */

/** One requirement of a label selector. */
export interface LabelRequirement {
  key: string;
  operator: 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';
  values: string[];
}

/** A parsed label selector. An empty selector matches everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  empty: boolean;
}

/** Thrown for an unparsable selector; callers map it to 400 BadRequest. */
export class SelectorParseError extends Error {}

type Token = { kind: 'ident' | 'op' | 'comma' | 'lparen' | 'rparen' | 'not'; text: string };

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === ',') {
      out.push({ kind: 'comma', text: c });
      i++;
    } else if (c === '(') {
      out.push({ kind: 'lparen', text: c });
      i++;
    } else if (c === ')') {
      out.push({ kind: 'rparen', text: c });
      i++;
    } else if (c === '!' && input[i + 1] === '=') {
      out.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '!') {
      out.push({ kind: 'not', text: c });
      i++;
    } else if (c === '=' && input[i + 1] === '=') {
      out.push({ kind: 'op', text: '==' });
      i += 2;
    } else if (c === '=' || c === '>' || c === '<') {
      out.push({ kind: 'op', text: c === '>' ? 'gt' : c === '<' ? 'lt' : '=' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !' \t,()!=<>'.includes(input[j] as string)) j++;
      out.push({ kind: 'ident', text: input.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/** Parses a label selector string. Throws SelectorParseError. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  const requirements: LabelRequirement[] = [];
  const tokens = tokenize(input ?? '');
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const fail = (msg: string): never => {
    throw new SelectorParseError(`unable to parse requirement: ${msg}`);
  };
  while (p < tokens.length) {
    const t = tokens[p++] as Token;
    if (t.kind === 'not') {
      const key = tokens[p++];
      if (!key || key.kind !== 'ident') fail(`found '${key?.text ?? ''}', expected: identifier after '!'`);
      requirements.push({ key: (key as Token).text, operator: '!', values: [] });
    } else if (t.kind === 'ident') {
      const next = peek();
      if (!next || next.kind === 'comma') {
        requirements.push({ key: t.text, operator: 'exists', values: [] });
      } else if (next.kind === 'op') {
        p++;
        const v = peek();
        let value = '';
        if (v && v.kind === 'ident') {
          value = v.text;
          p++;
        }
        const op = next.text as LabelRequirement['operator'];
        if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        requirements.push({ key: t.text, operator: op, values: [value] });
      } else if (next.kind === 'ident' && (next.text === 'in' || next.text === 'notin')) {
        p++;
        if (peek()?.kind !== 'lparen') fail(`found '${peek()?.text ?? ''}', expected: '('`);
        p++;
        const values: string[] = [];
        for (;;) {
          const v = tokens[p++];
          if (!v) fail(`found '', expected: ')'`);
          const tok = v as Token;
          if (tok.kind === 'rparen') break;
          if (tok.kind === 'comma') continue;
          if (tok.kind !== 'ident') fail(`found '${tok.text}', expected: ',', ')' or identifier`);
          values.push(tok.text);
        }
        requirements.push({ key: t.text, operator: next.text as 'in' | 'notin', values });
      } else {
        fail(`found '${next.text}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    }
    const sep = peek();
    if (sep) {
      if (sep.kind !== 'comma') fail(`found '${sep.text}', expected: ',' or 'end of string'`);
      p++;
    }
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches(labels) {
      return requirements.every((r) => matchRequirement(r, labels ?? {}));
    },
  };
}

function matchRequirement(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const a = Number(value);
      const b = Number(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

/** Converts a structured meta/v1 LabelSelector (matchLabels/matchExpressions) to a matcher. */
export function labelSelectorFromObject(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): LabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) requirements.push({ key, operator: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    const operator: LabelRequirement['operator'] =
      op === 'in' ? 'in' : op === 'notin' ? 'notin' : op === 'exists' ? 'exists' : '!';
    requirements.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches(labels) {
      return requirements.every((r) => matchRequirement(r, labels ?? {}));
    },
  };
}
