/**
 * `ApiError`: the one error type that crosses layers above storage. It carries a
 * Kubernetes Status; transports render it (HTTP body + code, gRPC code + details).
 */
import { REASON_CODES, type Status, type StatusCause, type StatusDetails, type StatusReason } from './status.js';

/** Identifies what a failure was about, as upstream's `details`. */
export interface Qualified {
  /** Plural resource, e.g. `configmaps`. */
  resource: string;
  /** API group, `""` for core. */
  group: string;
}

/** The qualified resource string upstream prints: `deployments.apps` or `configmaps`. */
export function qualifiedResource(q: Qualified): string {
  return q.group ? `${q.resource}.${q.group}` : q.resource;
}

/** An error that renders as a Kubernetes Status. */
export class ApiError extends Error {
  readonly status: Status;
  /**
   * Upstream writes this answer over HTTP as plain text (`http.Error`: the message and a
   * newline), not as a Status: the in-flight limit's 429. gRPC sends the Status as always.
   */
  plainText?: true;

  constructor(reason: StatusReason, message: string, details?: StatusDetails, code?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code: code ?? REASON_CODES[reason].http,
    };
    if (details) this.status.details = details;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason {
    return this.status.reason ?? 'Unknown';
  }

  /** Rebuilds an ApiError from a Status (e.g. received over gRPC). */
  static fromStatus(status: Status): ApiError {
    return new ApiError(status.reason ?? 'Unknown', status.message ?? '', status.details, status.code);
  }
}

function details(q: Qualified, name: string | undefined): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (q.group) d.group = q.group;
  d.kind = q.resource;
  return d;
}

/** 404: `configmaps "x" not found`. */
export function notFound(q: Qualified, name: string): ApiError {
  return new ApiError('NotFound', `${qualifiedResource(q)} "${name}" not found`, details(q, name));
}

/** 409: `configmaps "x" already exists`. */
export function alreadyExists(q: Qualified, name: string): ApiError {
  return new ApiError('AlreadyExists', `${qualifiedResource(q)} "${name}" already exists`, details(q, name));
}

/** 409: the optimistic-concurrency conflict with upstream's wording. */
export function conflict(q: Qualified, name: string, why: string): ApiError {
  return new ApiError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(q)} "${name}": ${why}`,
    details(q, name),
  );
}

/** The message Kubernetes uses for a stale resourceVersion. */
export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid: `Kind "name" is invalid: field: detail, field2: detail`. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const d: StatusDetails = { ...(name ? { name } : {}), ...(group ? { group } : {}), kind, causes };
  return new ApiError('Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, d);
}

/** 400 BadRequest. */
export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError('BadRequest', message, causes ? { causes } : undefined);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(verb: string, q: Qualified): ApiError {
  return new ApiError('MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource(q)}"`, {
    ...(q.group ? { group: q.group } : {}),
    kind: q.resource,
  });
}

/** 415 UnsupportedMediaType listing what is accepted. */
export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] },
  );
}

/** 406 NotAcceptable. */
export function notAcceptable(accepted: string[]): ApiError {
  return new ApiError('NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** 410 Expired: a watch/list resourceVersion older than history. */
export function expired(message: string): ApiError {
  return new ApiError('Expired', message);
}

/** 504 Timeout as upstream's NewTimeoutError: `Timeout: <message>`, with a retry hint when non-zero. */
export function timeout(message: string, retryAfterSeconds = 0, causes?: StatusCause[]): ApiError {
  const d: StatusDetails = {};
  if (causes) d.causes = causes;
  if (retryAfterSeconds > 0) d.retryAfterSeconds = retryAfterSeconds;
  return new ApiError('Timeout', `Timeout: ${message}`, d);
}

/**
 * 504 for a read at a resourceVersion the store has not reached (upstream's
 * NewTooLargeResourceVersionError): retried after `retryAfterSeconds` when waiting was tried.
 */
export function tooLargeResourceVersion(requested: string | number | bigint, current: string | number, retryAfterSeconds = 0): ApiError {
  return timeout(`Too large resource version: ${String(requested)}, current: ${String(current)}`, retryAfterSeconds, [
    { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
  ]);
}

/** 500 InternalError wrapping an unexpected failure. */
export function internalError(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/**
 * An error kube-apiserver did not recognise (responsewriters' convertStorageErrorOrNot): its
 * own message, HTTP 500, and no reason (StatusReasonUnknown is empty, so omitted).
 */
export function unknownError(message: string): ApiError {
  const e = new ApiError('Unknown', message);
  delete e.status.reason;
  return e;
}

/** Normalizes anything thrown into an ApiError. */
export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : internalError(err);
}

/** 401 as upstream answers a request it cannot authenticate. */
export function unauthorized(): ApiError {
  return new ApiError('Unauthorized', 'Unauthorized');
}

/**
 * 403 as upstream's NewForbidden: `configmaps "x" is forbidden: why` (without a name,
 * `configmaps is forbidden: why`; a non-resource path: `forbidden: why`).
 */
export function forbidden(q: Qualified, name: string | undefined, why: string): ApiError {
  const what = qualifiedResource(q);
  const message = what === '' ? `forbidden: ${why}` : name ? `${what} "${name}" is forbidden: ${why}` : `${what} is forbidden: ${why}`;
  return new ApiError('Forbidden', message, what === '' ? {} : details(q, name));
}
