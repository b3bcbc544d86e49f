/**
 * A failed call as a Kubernetes Status. The server sends the whole meta/v1 Status in the
 * `grpc-status-details-bin` trailer (a google.rpc.Status whose detail is an Any holding the
 * protobuf Status); without it the Status is built from the gRPC code and message.
 */
import { status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { Status as RpcStatus } from '../../gen/google/rpc/status.js';
import { Status } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';

const DETAILS_KEY = 'grpc-status-details-bin';
const STATUS_TYPE_URL = 'type.googleapis.com/k8s.io.apimachinery.pkg.apis.meta.v1.Status';

/** gRPC codes → the reason and HTTP code a server without details would have meant. */
const FALLBACK: Partial<Record<GrpcCode, [string, number]>> = {
  [GrpcCode.NOT_FOUND]: ['NotFound', 404],
  [GrpcCode.ALREADY_EXISTS]: ['AlreadyExists', 409],
  [GrpcCode.ABORTED]: ['Conflict', 409],
  [GrpcCode.INVALID_ARGUMENT]: ['BadRequest', 400],
  [GrpcCode.PERMISSION_DENIED]: ['Forbidden', 403],
  [GrpcCode.UNAUTHENTICATED]: ['Unauthorized', 401],
  [GrpcCode.RESOURCE_EXHAUSTED]: ['TooManyRequests', 429],
  [GrpcCode.DEADLINE_EXCEEDED]: ['Timeout', 504],
  [GrpcCode.UNAVAILABLE]: ['ServiceUnavailable', 503],
  [GrpcCode.CANCELLED]: ['Cancelled', 499],
};

/** An API error: `reason` and `code` as the HTTP API would answer, `status` the whole Status. */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly status: Status,
    /** The gRPC code the call ended with. */
    readonly grpcCode: number,
  ) {
    super(status.message ?? status.reason ?? 'unknown error');
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
  get code(): number {
    return this.status.code ?? 0;
  }
}

/** The StatusError a grpc-js ServiceError carries. */
export function statusErrorFrom(err: ServiceError): StatusError {
  const raw = err.metadata?.get(DETAILS_KEY)[0];
  if (raw !== undefined) {
    try {
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw;
      const detail = RpcStatus.decode(bytes).details.find((d) => d.typeUrl === STATUS_TYPE_URL);
      if (detail) return new StatusError(Status.decode(detail.value), err.code);
    } catch {
      // malformed details: fall through to the code
    }
  }
  const [reason, code] = FALLBACK[err.code] ?? ['InternalError', 500];
  return new StatusError(Status.fromPartial({ status: 'Failure', message: err.details || err.message, reason, code }), err.code);
}

/** True when `err` is a StatusError with `reason` (NotFound, AlreadyExists, Conflict, Expired, Gone, …). */
export function hasReason(err: unknown, ...reasons: string[]): boolean {
  return err instanceof StatusError && reasons.includes(err.reason);
}

export const isNotFound = (err: unknown): boolean => hasReason(err, 'NotFound');
export const isAlreadyExists = (err: unknown): boolean => hasReason(err, 'AlreadyExists');
export const isConflict = (err: unknown): boolean => hasReason(err, 'Conflict');
/** A resourceVersion too old to watch or list from: the informer re-lists. */
export const isExpired = (err: unknown): boolean => hasReason(err, 'Expired', 'Gone') || (err instanceof StatusError && err.code === 410);
