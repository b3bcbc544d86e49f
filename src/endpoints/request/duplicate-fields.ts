/**
 * Duplicate keys in request bodies, found as upstream's strict decoding finds them. JSON
 * parsing keeps the last value of a repeated key (as encoding/json does); under
 * `fieldValidation=Strict` or `Warn` kube-apiserver also reports each repeat:
 * sigs.k8s.io/json's `duplicate field "metadata.name"` (paths as for unknown fields, in
 * document order with them), and for YAML go-yaml's strict error, all repeats in one:
 * `error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key "name" already set in map`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A repeated key of a JSON body: its path and where the repeat starts in the text. */
interface JsonDuplicate {
  path: string;
  offset: number;
}

/** What strict decoding will report about a parsed body's keys. */
interface BodyKeys {
  /** The JSON text, to place unknown fields among the duplicates. */
  text?: string;
  json: JsonDuplicate[];
  /** go-yaml's error for a YAML body's repeated keys. */
  yaml?: string;
}

/** Paths inside a managedFields entry's fieldsV1. */
const RAW_JSON = /(^|\.)fieldsV1\./;

/** Parsed bodies (objects and arrays) with repeated keys, by identity. */
const repeated = new WeakMap<object, BodyKeys>();

/** Calls `visit` for every object key of valid JSON `text`, with its path, offset and whether it repeats. */
function scanKeys(text: string, visit: (path: string, offset: number, duplicate: boolean) => void): void {
  // One frame per open container: an object's path, keys seen and current key; an array's path and index.
  type Frame = { path: string; keys?: Set<string>; index: number };
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = (f: Frame | undefined, key?: string): string => {
    if (!f) return '';
    if (f.keys) return f.path ? `${f.path}.${key ?? ''}` : (key ?? '');
    return `${f.path}[${f.index}]`;
  };
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(start, i + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        const duplicate = top.keys.has(key);
        top.keys.add(key);
        lastKey = key;
        visit(childPath(top, key), start, duplicate);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack[stack.length - 1];
      const path = childPath(parent, lastKey);
      stack.push(c === 0x7b ? { path, keys: new Set(), index: 0 } : { path, index: 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
}

/** Records the repeated keys of a JSON body parsed from `text` into `value`. */
export function noteJsonDuplicates(text: string, value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const json: JsonDuplicate[] = [];
  scanKeys(text, (path, offset, duplicate) => {
    // A FieldsV1 is raw JSON to Go's decoder (its own UnmarshalJSON): keys inside it are not fields.
    if (duplicate && !RAW_JSON.test(path)) json.push({ path, offset });
  });
  if (json.length) repeated.set(value, { text, json });
}

/** Records the repeated keys of a YAML document parsed into `value`, as go-yaml's strict error. */
export function noteYamlDuplicates(doc: Document, lines: LineCounter, value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const found: string[] = [];
  // Iterative walk over the nodes as written: aliases are not followed.
  const pending: Array<Node | null | undefined> = [doc.contents];
  while (pending.length) {
    const node = pending.pop();
    if (!node || isAlias(node) || isScalar(node)) continue;
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i] as Node);
    } else if (isMap(node)) {
      const seen = new Set<unknown>();
      const repeats: string[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key) && isScalar(pair.key)) {
          const line = lines.linePos(pair.key.range?.[0] ?? 0).line;
          repeats.push(`line ${line}: key ${typeof key === 'string' ? JSON.stringify(key) : String(key)} already set in map`);
        }
        seen.add(key);
      }
      found.push(...repeats);
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]?.value as Node | null);
    }
  }
  if (found.length) {
    found.sort((a, b) => Number(/^line (\d+)/.exec(a)?.[1]) - Number(/^line (\d+)/.exec(b)?.[1]));
    repeated.set(value, { json: [], yaml: `error converting YAML to JSON: yaml: unmarshal errors:\n  ${found.join('\n  ')}` });
  }
}

/**
 * The strict decoding errors of a parsed body, as upstream lists them: a YAML body's
 * duplicate keys first, then the JSON's duplicate and unknown fields in document order.
 */
export function strictDecodingErrors(body: unknown, unknownFields: readonly string[]): string[] {
  const unknown = unknownFields.map((f) => `unknown field "${f}"`);
  const keys = body !== null && typeof body === 'object' ? repeated.get(body) : undefined;
  if (!keys) return unknown;
  const yaml = keys.yaml ? [keys.yaml] : [];
  if (!keys.json.length) return [...yaml, ...unknown];
  const entries = keys.json.map((d) => ({ offset: d.offset, text: `duplicate field "${d.path}"` }));
  if (unknownFields.length && keys.text !== undefined) {
    const wanted = new Set(unknownFields);
    const where = new Map<string, number>();
    scanKeys(keys.text, (path, offset) => {
      if (wanted.has(path) && !where.has(path)) where.set(path, offset);
    });
    for (const f of unknownFields) entries.push({ offset: where.get(f) ?? Number.MAX_SAFE_INTEGER, text: `unknown field "${f}"` });
  }
  entries.sort((a, b) => a.offset - b.offset);
  return [...yaml, ...entries.map((e) => e.text)];
}
