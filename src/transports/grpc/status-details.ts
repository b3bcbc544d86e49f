/**
 * Kubernetes Status ↔ gRPC error. The gRPC code comes from the shared REASON_CODES
 * table, the message is Status.message, and the whole Status travels in the
 * `grpc-status-details-bin` trailer as a google.rpc.Status (generated from the vendored
 * proto/google/rpc/status.proto) whose single detail is an Any holding the
 * protobuf-encoded meta/v1 Status, so any generated client can read it.
 */
import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Status as RpcStatus } from '../../../gen/google/rpc/status.js';
import { Status as StatusMessage } from '../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { kubeJsonToMessage, messageToKubeJson } from '../../machinery/schema/index.js';
import {
  grpcCodeForReason,
  reasonForHttpCode,
  REASON_CODES,
  toApiError,
  type Status,
  type StatusReason,
} from '../../machinery/errors/index.js';

/** The trailer gRPC uses for rich error details. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** The Any type URL of the Kubernetes Status inside the details. */
export const KUBE_STATUS_TYPE_URL = 'type.googleapis.com/k8s.io.apimachinery.pkg.apis.meta.v1.Status';

const STATUS_TYPE = 'k8s.io.apimachinery.pkg.apis.meta.v1.Status';

/** The Kubernetes JSON Status → its ts-proto message, through the schema codec. */
export function statusToMessage(s: Status): StatusMessage {
  return kubeJsonToMessage(STATUS_TYPE, s).message as unknown as StatusMessage;
}

/** A ts-proto meta/v1 Status → Kubernetes JSON Status, through the schema codec. */
export function statusFromMessage(m: StatusMessage): Status {
  return { kind: 'Status', apiVersion: 'v1', ...(messageToKubeJson(STATUS_TYPE, m) as object) } as Status;
}

/** Renders anything thrown by the pipeline as a gRPC error carrying the Kubernetes Status. */
export function toGrpcError(err: unknown): Partial<StatusObject> & Error {
  const status = toApiError(err).status;
  // A Status without a reason (a webhook's refusal may carry none) maps by its HTTP code.
  const code = grpcCodeForReason(status.reason || reasonForHttpCode(status.code));
  const message = status.message ?? '';
  const metadata = new Metadata();
  const value = Buffer.from(StatusMessage.encode(statusToMessage(status)).finish());
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(RpcStatus.encode({ code, message, details: [{ typeUrl: KUBE_STATUS_TYPE_URL, value }] }).finish()));
  return Object.assign(new Error(message), { code, details: message, metadata });
}

/**
 * Client side: recovers the Kubernetes Status from a gRPC error. Falls back to a Status
 * built from the gRPC code and message when the server sent no details.
 */
export function statusFromGrpcError(err: Pick<ServiceError, 'code' | 'details' | 'metadata'>): Status {
  const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (raw !== undefined) {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw;
    const rpc = RpcStatus.decode(bytes);
    const any = rpc.details.find((d) => d.typeUrl === KUBE_STATUS_TYPE_URL);
    if (any) return statusFromMessage(StatusMessage.decode(any.value));
  }
  const reason = reasonForGrpcCode(err.code);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.details,
    reason,
    code: REASON_CODES[reason].http,
  };
}

/** The first reason in REASON_CODES with this gRPC code (the table is the one source). */
function reasonForGrpcCode(code: GrpcStatus): StatusReason {
  for (const [reason, codes] of Object.entries(REASON_CODES) as [StatusReason, { grpc: GrpcStatus }][]) {
    if (codes.grpc === code) return reason;
  }
  return 'Unknown';
}
