/**
 * Kubernetes Status ↔ gRPC error. The gRPC code comes from the shared REASON_CODES
 * table, the message is Status.message, and the whole Status travels in the
 * `grpc-status-details-bin` trailer as a google.rpc.Status whose single detail is an
 * Any holding the protobuf-encoded meta/v1 Status, so any generated client can read it.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Status as StatusMessage } from '../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import {
  grpcCodeForReason,
  REASON_CODES,
  toApiError,
  type Status,
  type StatusCause,
  type StatusDetails,
  type StatusReason,
} from '../../machinery/errors/index.js';

/** The trailer gRPC uses for rich error details. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** The Any type URL of the Kubernetes Status inside the details. */
export const KUBE_STATUS_TYPE_URL = 'type.googleapis.com/k8s.io.apimachinery.pkg.apis.meta.v1.Status';

/** An Any message: type URL and encoded value. */
interface AnyMessage {
  typeUrl: string;
  value: Uint8Array;
}

/** A google.rpc.Status message. */
interface RpcStatus {
  code: number;
  message: string;
  details: AnyMessage[];
}

function encodeRpcStatus(s: RpcStatus): Uint8Array {
  const w = new BinaryWriter();
  if (s.code !== 0) w.uint32(8).int32(s.code);
  if (s.message !== '') w.uint32(18).string(s.message);
  for (const d of s.details) {
    w.uint32(26).fork();
    w.uint32(10).string(d.typeUrl);
    w.uint32(18).bytes(d.value);
    w.join();
  }
  return w.finish();
}

function decodeAny(bytes: Uint8Array): AnyMessage {
  const r = new BinaryReader(bytes);
  const out: AnyMessage = { typeUrl: '', value: new Uint8Array() };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) out.typeUrl = r.string();
    else if (field === 2) out.value = r.bytes();
    else r.skip(wire);
  }
  return out;
}

function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const r = new BinaryReader(bytes);
  const out: RpcStatus = { code: 0, message: '', details: [] };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) out.code = r.int32();
    else if (field === 2) out.message = r.string();
    else if (field === 3) out.details.push(decodeAny(r.bytes()));
    else r.skip(wire);
  }
  return out;
}

/** The Kubernetes JSON Status → its ts-proto message. */
export function statusToMessage(s: Status): StatusMessage {
  const m: StatusMessage = { metadata: {}, status: s.status, code: s.code };
  if (s.message !== undefined) m.message = s.message;
  if (s.reason !== undefined) m.reason = s.reason;
  if (s.details) {
    const d = s.details;
    m.details = { causes: (d.causes ?? []).map((c) => ({ ...c })) };
    if (d.name !== undefined) m.details.name = d.name;
    if (d.group !== undefined) m.details.group = d.group;
    if (d.kind !== undefined) m.details.kind = d.kind;
    if (d.uid !== undefined) m.details.uid = d.uid;
    if (d.retryAfterSeconds !== undefined) m.details.retryAfterSeconds = d.retryAfterSeconds;
  }
  return m;
}

/** Copies the fields a decoded message carries (presence kept: "" stays ""). */
function defined<T extends object>(o: T): T {
  for (const [k, v] of Object.entries(o)) if (v === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

/** A ts-proto meta/v1 Status → Kubernetes JSON Status. */
export function statusFromMessage(m: StatusMessage): Status {
  const code = m.code ?? 0;
  const s: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: m.status === 'Success' ? 'Success' : 'Failure',
    code,
  };
  if (m.message !== undefined) s.message = m.message;
  if (m.reason !== undefined) s.reason = m.reason as StatusReason;
  if (m.details) {
    const d: StatusDetails = defined({
      name: m.details.name,
      group: m.details.group,
      kind: m.details.kind,
      uid: m.details.uid,
    });
    if (m.details.causes.length > 0) d.causes = m.details.causes.map((c) => defined({ ...c }) as StatusCause);
    if (m.details.retryAfterSeconds !== undefined) d.retryAfterSeconds = m.details.retryAfterSeconds;
    s.details = d;
  }
  return s;
}

/** Renders anything thrown by the pipeline as a gRPC error carrying the Kubernetes Status. */
export function toGrpcError(err: unknown): Partial<StatusObject> & Error {
  const status = toApiError(err).status;
  const code = grpcCodeForReason(status.reason);
  const message = status.message ?? '';
  const metadata = new Metadata();
  const value = StatusMessage.encode(statusToMessage(status)).finish();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(encodeRpcStatus({ code, message, details: [{ typeUrl: KUBE_STATUS_TYPE_URL, value }] })));
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
    const rpc = decodeRpcStatus(bytes);
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
