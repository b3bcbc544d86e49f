/**
 * A guard against deeply nested bodies. Parsing is iterative, but everything after it
 * (schema decoding, patching, JSON.stringify) recurses per level and would overflow the
 * stack a few thousand levels down; no Kubernetes object comes anywhere near this limit.
 */
import { badRequest, type ApiError } from '../../machinery/errors/index.js';

/** Deepest nesting of objects and arrays accepted in a JSON (or protobuf) request body. */
export const MAX_BODY_DEPTH = 1000;

/**
 * Deepest nesting accepted in a YAML body. The YAML parser recurses per level and a stack
 * overflow inside it can leave V8 unable to compile regular expressions (a fatal process
 * error on the next parse), so YAML is bounded well below where the parser overflows.
 */
export const MAX_YAML_DEPTH = 300;

function tooDeep(limit = MAX_BODY_DEPTH): ApiError {
  return badRequest(`the request body is nested too deeply: more than ${limit} levels of objects and arrays`);
}

/**
 * Rejects text whose brackets nest deeper than the limit, skipping quoted strings. Exact
 * for JSON; for YAML it bounds flow collections (`[[[…`) before the parser recurses on them.
 */
export function checkTextDepth(text: string, limit = MAX_BODY_DEPTH, reported = limit): void {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === 0x5c /* \ */ && quote === '"') i++;
      else if (c === quote.charCodeAt(0)) quote = '';
      continue;
    }
    if (c === 0x22 /* " */) quote = '"';
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) throw tooDeep(reported);
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
}

/** Rejects a parsed value nested deeper than the limit (YAML block nesting), without recursion. */
export function checkValueDepth(value: unknown): void {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop() as { v: unknown; d: number };
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > MAX_BODY_DEPTH) throw tooDeep();
    for (const child of Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push({ v: child, d: d + 1 });
    }
  }
}

/**
 * Bounds a YAML document's nesting before it is parsed: block levels from indentation
 * (each `- ` of a compact sequence counts as one) plus flow levels from brackets. It may
 * over-count (block scalars, brackets in plain scalars), never under-count structure.
 */
export function checkYamlDepth(text: string): void {
  const indents: number[] = [];
  let maxBlock = 0;
  const enter = (column: number): void => {
    while (indents.length && (indents[indents.length - 1] as number) >= column) indents.pop();
    indents.push(column);
    if (indents.length > maxBlock) maxBlock = indents.length;
  };
  for (const line of text.split('\n')) {
    let col = 0;
    while (col < line.length) {
      const c = line[col];
      if (c === ' ') col++;
      else if (c === '-' && (line[col + 1] === ' ' || col + 1 === line.length)) enter(col++);
      else break;
    }
    if (col < line.length && line[col] !== '#' && line[col] !== '\r') enter(col);
    if (maxBlock > MAX_YAML_DEPTH) throw tooDeep(MAX_YAML_DEPTH);
  }
  checkTextDepth(text.replace(/'[^'\n]*'/g, "''"), MAX_YAML_DEPTH - maxBlock, MAX_YAML_DEPTH);
}
