/**
 * Strategic merge patch failures, worded like apimachinery's `mergepatch` errors, and their
 * mapping to a Status the way the apiserver's PATCH handler maps them: malformed directive
 * lists are 400 BadRequest, lists of lists are 422 Invalid, anything else is a 500 carrying
 * the raw message and no reason (kubectl prints `Error from server: <message>`).
 */
import { ApiError, badRequest } from '../../machinery/errors/index.js';
import { goTypeName, goValueString } from './smp-values.js';

/** How the PATCH handler reports a failure. */
export type SmpErrorClass = 'badRequest' | 'invalid' | 'internal';

/** A failure while applying a strategic merge patch. */
export class StrategicMergePatchError extends Error {
  constructor(
    readonly errorClass: SmpErrorClass,
    message: string,
  ) {
    super(message);
    this.name = 'StrategicMergePatchError';
  }
}

/** `$deleteFromPrimitiveList/<list>` whose key is malformed. */
export const badPrimitiveListFormat = (): StrategicMergePatchError =>
  new StrategicMergePatchError('badRequest', 'invalid patch format of primitive list');

/** `$retainKeys` that is not a list, or a patched key missing from it. */
export const badRetainKeysFormat = (): StrategicMergePatchError =>
  new StrategicMergePatchError('badRequest', 'invalid patch format of retainKeys');

/** `$setElementOrder/<list>` whose key or value is malformed. */
export const badSetElementOrderFormat = (): StrategicMergePatchError =>
  new StrategicMergePatchError('badRequest', 'invalid patch format of setElementOrder list');

/** A list whose elements are lists. */
export const noListOfLists = (): StrategicMergePatchError =>
  new StrategicMergePatchError('invalid', 'lists of lists are not supported');

/** A value of the wrong JSON type where `expected` (a Go type name) was required. */
export function badArgType(expected: string, actual: unknown): StrategicMergePatchError {
  return internal(`expected a ${expected}, but received a ${actual === null || actual === undefined ? '%!s(<nil>)' : goTypeName(actual)}`);
}

/** A list element without the list's patch merge key. */
export function noMergeKey(element: Record<string, unknown>, mergeKey: string): StrategicMergePatchError {
  return internal(`map: ${goValueString(element)} does not contain declared merge key: ${mergeKey}`);
}

/** An unknown `$patch` value. */
export function badPatchType(directive: unknown, map: Record<string, unknown>): StrategicMergePatchError {
  const shown = typeof directive === 'string' ? directive : `%!s(${directive === null ? '<nil>' : `${goTypeName(directive)}=${goValueString(directive)}`})`;
  return internal(`unknown patch type: ${shown} in map: ${goValueString(map)}`);
}

/** Any other failure (reported as a 500 without a reason, as upstream does). */
export function internal(message: string): StrategicMergePatchError {
  return new StrategicMergePatchError('internal', message);
}

/** Converts a patch failure into the Status upstream's PATCH handler returns; other errors pass through. */
export function smpErrorToApiError(err: unknown): unknown {
  if (!(err instanceof StrategicMergePatchError)) return err;
  switch (err.errorClass) {
    case 'badRequest':
      return badRequest(err.message);
    case 'invalid':
      return new ApiError('Invalid', 'the server rejected our request due to an error in our request', {});
    case 'internal': {
      const apiErr = new ApiError('InternalError', err.message, undefined, 500);
      delete apiErr.status.reason;
      return apiErr;
    }
  }
}
