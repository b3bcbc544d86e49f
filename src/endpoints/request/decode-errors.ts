/**
 * upstream's wording for bodies that do not decode (apiserver's transformDecodeError):
 * with a kind learnt from the body, `<Kind> in version "<v>" cannot be handled as a
 * <Target>: <cause>`; without one, `the object provided is unrecognized (must be of
 * type <Target>): <cause> (<summary of the body>)`.
 */
import { badRequest, type ApiError } from '../../machinery/errors/index.js';

/** How upstream summarizes a body in a message: text when it looks like JSON, else hex; 30 bytes at most. */
export function summarizeBody(data: Uint8Array, maxLength = 30): string {
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, maxLength);
  const shown = data[0] === 0x7b ? Buffer.from(head).toString('utf8') : Buffer.from(head).toString('hex');
  return data.length > maxLength ? `${shown} ...` : shown;
}

/** A body whose kind could not even be read. */
export function unrecognizedBody(target: string, cause: string, data: Uint8Array): ApiError {
  return badRequest(`the object provided is unrecognized (must be of type ${target}): ${cause} (${summarizeBody(data)})`);
}

/** A body of a known kind (and version) that does not decode as the target kind. */
export function cannotHandle(kind: string, version: string, target: string, cause: string): ApiError {
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${target}: ${cause}`);
}

/** Protobuf reader failures in gogo-protobuf's words, as upstream reports them. */
export function protobufCause(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const tag = /illegal tag: field no (\d+) wire type (\d+)/.exec(message);
  if (tag) return `proto: illegal tag ${tag[1]} (wire type ${tag[2]})`;
  const wire = /wire ?type (\d+)/i.exec(message);
  if (wire) return `proto: illegal wireType ${wire[1]}`;
  return 'unexpected EOF';
}
