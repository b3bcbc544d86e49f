/**
 * Field selectors (`metadata.name=x,status.phase!=Running`): parsed once, matched against
 * the field set a resource exposes (see the registry's per-resource field functions).
 */
import { SelectorParseError } from './labels.js';

/** One `field op value` term. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** A parsed field selector. */
export interface FieldSelector {
  requirements: FieldRequirement[];
  empty: boolean;
  matches(fields: Readonly<Record<string, string>>): boolean;
}

/** Splits on unescaped commas; values may escape `\,` `\=` `\\`. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c === '\\' && i + 1 < input.length) {
      cur += c + (input[i + 1] as string);
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms.filter((t) => t.length > 0);
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

/** Parses a field selector. Throws SelectorParseError. */
export function parseFieldSelector(input: string | undefined): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(input ?? '')) {
    let m = /^(.*?)(!=|==|=)(.*)$/.exec(term);
    if (!m) throw new SelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
    const [, field = '', op = '=', value = ''] = m;
    requirements.push({ field: field.trim(), operator: op === '!=' ? '!=' : '=', value: unescape(value) });
    m = null;
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches(fields) {
      return requirements.every((r) => {
        const v = fields[r.field] ?? '';
        return r.operator === '=' ? v === r.value : v !== r.value;
      });
    },
  };
}
