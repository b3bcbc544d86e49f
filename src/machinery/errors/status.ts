/**
 * The Kubernetes `Status` object (meta/v1) as it travels over JSON, and the one table
 * that maps a Status reason to its HTTP code and gRPC code.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

/** A field-level cause inside `details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `details` of a Status: what the failure was about. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The meta/v1 Status object. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Status reasons we emit, with upstream's spelling. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown';

interface ReasonCodes {
  http: number;
  grpc: GrpcStatus;
}

/** The single error table: reason → HTTP status code → gRPC status code. */
export const REASON_CODES: Readonly<Record<StatusReason, ReasonCodes>> = {
  BadRequest: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  Unauthorized: { http: 401, grpc: GrpcStatus.UNAUTHENTICATED },
  Forbidden: { http: 403, grpc: GrpcStatus.PERMISSION_DENIED },
  NotFound: { http: 404, grpc: GrpcStatus.NOT_FOUND },
  MethodNotAllowed: { http: 405, grpc: GrpcStatus.UNIMPLEMENTED },
  NotAcceptable: { http: 406, grpc: GrpcStatus.INVALID_ARGUMENT },
  AlreadyExists: { http: 409, grpc: GrpcStatus.ALREADY_EXISTS },
  Conflict: { http: 409, grpc: GrpcStatus.ABORTED },
  Gone: { http: 410, grpc: GrpcStatus.OUT_OF_RANGE },
  Expired: { http: 410, grpc: GrpcStatus.OUT_OF_RANGE },
  RequestEntityTooLarge: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  UnsupportedMediaType: { http: 415, grpc: GrpcStatus.INVALID_ARGUMENT },
  Invalid: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT },
  TooManyRequests: { http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  InternalError: { http: 500, grpc: GrpcStatus.INTERNAL },
  ServiceUnavailable: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  Timeout: { http: 504, grpc: GrpcStatus.DEADLINE_EXCEEDED },
  Unknown: { http: 500, grpc: GrpcStatus.UNKNOWN },
};

/** The gRPC status code for a Status reason. */
export function grpcCodeForReason(reason: StatusReason | undefined): GrpcStatus {
  return REASON_CODES[reason ?? 'Unknown'].grpc;
}

/** The reason for an HTTP code when a Status carries none (reverse lookup of the table). */
export function reasonForHttpCode(code: number): StatusReason {
  for (const [reason, codes] of Object.entries(REASON_CODES) as [StatusReason, ReasonCodes][]) {
    if (codes.http === code) return reason;
  }
  return 'Unknown';
}

/** A success Status, as returned by most deletes. */
export function successStatus(details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) status.details = details;
  return status;
}
