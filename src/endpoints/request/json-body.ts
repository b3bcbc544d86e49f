/**
 * JSON and YAML request bodies → plain values, with nesting bounded and syntax errors in
 * Go's words (the cause upstream's messages carry).
 */
import { LineCounter, parseDocument, YAMLParseError } from 'yaml';
import { goJsonSyntaxError } from '../../machinery/schema/go-json-syntax.js';
import { checkTextDepth, checkValueDepth, checkYamlDepth } from './body-depth.js';
import { noteJsonDuplicates, noteYamlDuplicates } from './duplicate-fields.js';

/** A body that did not parse, with upstream's cause text. */
export class BodySyntaxError extends Error {}

/** Parses JSON; throws BodySyntaxError with Go's `json parse error` cause. */
export function parseJsonBody(data: Uint8Array): unknown {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodySyntaxError(goJsonSyntaxError(data) ?? 'unexpected end of JSON input');
  }
  checkTextDepth(text);
  noteJsonDuplicates(text, value);
  return value;
}

/** go-yaml's words for the failures clients meet most. */
function yamlCause(err: YAMLParseError): string {
  const line = err.linePos?.[0]?.line ?? 1;
  const what = err.code === 'DUPLICATE_KEY' ? 'duplicate key' : err.code === 'BAD_INDENT' ? 'bad indentation of a mapping entry' : 'did not find expected node content';
  return `error converting YAML to JSON: yaml: line ${line}: ${what}`;
}

/** Parses YAML (nesting bounded before the parser recurses); throws BodySyntaxError. */
export function parseYamlBody(data: Uint8Array): unknown {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  checkYamlDepth(text);
  let value: unknown;
  try {
    // Repeated keys are kept (the last wins, as go-yaml's non-strict decoding) and noted for fieldValidation.
    const lines = new LineCounter();
    const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
    const [error] = doc.errors;
    if (error) throw error;
    value = doc.toJS({ maxAliasCount: 100 });
    noteYamlDuplicates(doc, lines, value);
  } catch (err) {
    if (err instanceof YAMLParseError) throw new BodySyntaxError(yamlCause(err));
    const message = err instanceof Error ? err.message : '';
    throw new BodySyntaxError(`error converting YAML to JSON: yaml: ${/alias/i.test(message) ? 'document contains excessive aliasing' : 'exceeded max depth'}`);
  }
  checkValueDepth(value);
  return value;
}
