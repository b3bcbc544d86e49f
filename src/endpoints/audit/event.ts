/**
 * The `audit.k8s.io/v1` Event as upstream writes it: its fields in the Go struct's order, each
 * left out when empty (omitempty), timestamps in RFC 3339 with microseconds.
 */
import type { Status } from '../../machinery/errors/index.js';
import type { UserInfo } from '../api-call.js';
import type { AuditLevel, AuditStage } from './policy.js';

/** authentication.k8s.io/v1 UserInfo, as the event carries it. */
export interface EventUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The meta/v1 Status fields an event keeps of a response (upstream copies these, never the metadata). */
export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: Status['details'];
  code: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: EventUser;
  impersonatedUser?: EventUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Now, in milliseconds since the epoch with a microsecond fraction. */
export function microNow(): number {
  return performance.timeOrigin + performance.now();
}

/** `2006-01-02T15:04:05.000000Z`: metav1.MicroTime's JSON form, in UTC. */
export function formatMicroTime(ms: number): string {
  const micros = Math.floor(ms * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** The event's form of a user (empty fields left out, as upstream's omitempty). */
export function eventUser(user: UserInfo): EventUser {
  const out: EventUser = {};
  if (user.name) out.username = user.name;
  if (user.uid) out.uid = user.uid;
  if (user.groups.length > 0) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) out.extra = user.extra;
  return out;
}

/** The bounded Status fields an event records of a response: upstream's copy of status, message, reason, details and code. */
export function responseStatusOf(code: number, status?: Partial<Status>): ResponseStatus {
  const out: Partial<ResponseStatus> = { metadata: {} };
  if (status?.status) out.status = status.status;
  if (status?.message) out.message = status.message;
  if (status?.reason) out.reason = status.reason;
  if (status?.details) out.details = status.details;
  out.code = code;
  return out as ResponseStatus;
}

/** An object reference's fields in upstream's order, whatever order they were filled in. */
function orderedRef(ref: ObjectReference): ObjectReference {
  const { resource, namespace, name, uid, apiGroup, apiVersion, resourceVersion, subresource } = ref;
  return { resource, namespace, name, uid, apiGroup, apiVersion, resourceVersion, subresource };
}

/** The JSON line of an event, its fields in upstream's order. */
export function eventLine(ev: AuditEvent): string {
  const ordered: Record<string, unknown> = {
    kind: ev.kind,
    apiVersion: ev.apiVersion,
    level: ev.level,
    auditID: ev.auditID,
    stage: ev.stage,
    requestURI: ev.requestURI,
    verb: ev.verb,
    user: ev.user,
    impersonatedUser: ev.impersonatedUser,
    sourceIPs: ev.sourceIPs,
    userAgent: ev.userAgent,
    objectRef: ev.objectRef && orderedRef(ev.objectRef),
    responseStatus: ev.responseStatus,
    requestObject: ev.requestObject,
    responseObject: ev.responseObject,
    requestReceivedTimestamp: ev.requestReceivedTimestamp,
    stageTimestamp: ev.stageTimestamp,
    annotations: ev.annotations,
  };
  return `${JSON.stringify(ordered)}\n`;
}
