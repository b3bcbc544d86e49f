/**
 * The audit record of one request (upstream's AuditContext): told by each stage of the pipeline
 * what it found, it asks the policy for the request's level once authentication has spoken and
 * writes the event at each stage the policy keeps — RequestReceived, ResponseStarted (watches,
 * and failed authentication, as upstream's authentication filter), ResponseComplete or Panic.
 * Each line is serialized when written, so later stages never change one already in the sink.
 */
import type { Status } from '../../machinery/errors/index.js';
import type { AuditDecision, AuditRecorder, UserInfo } from '../api-call.js';
import { type AuditEvent, eventLine, eventUser, formatMicroTime, microNow, type ObjectReference, responseStatusOf } from './event.js';
import { type AuditAttributes, type AuditPolicy, type AuditStage, evaluatePolicy, levelAtLeast, type RequestAuditConfig } from './policy.js';

/** Where event lines go (the log backend). */
export interface AuditSink {
  write(line: string): void;
}

/** What is known of a request before anything runs. */
export interface AuditRequestInfo {
  auditID: string;
  requestURI: string;
  /** The authorization verb (a non-resource request's lowercased HTTP method). */
  verb: string;
  sourceIPs: string[];
  userAgent?: string;
  /** A resource request's coordinates; absent for a non-resource path. */
  resource?: { group: string; version: string; resource: string; subresource: string; namespace: string; name: string };
  /** A non-resource request's path. */
  path?: string;
}

/** What a response is, as far as the audit cares. */
export interface AuditResponse {
  code: number;
  /** A Status the response carries (errors, and results that are a Status). */
  status?: Partial<Status>;
  /** The response body, read only at RequestResponse. */
  object?: () => unknown;
}

const MAX_USER_AGENT = 1024;

/** A copy without `metadata.managedFields`, the items of a list included (omitManagedFields). */
function withoutManagedFields(obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj;
  const record = obj as Record<string, unknown>;
  const out: Record<string, unknown> = { ...record };
  const meta = record.metadata;
  if (typeof meta === 'object' && meta !== null && 'managedFields' in meta) {
    const { managedFields: _dropped, ...rest } = meta as Record<string, unknown>;
    out.metadata = rest;
  }
  if (Array.isArray(record.items)) out.items = record.items.map(withoutManagedFields);
  return out;
}

export class AuditContext implements AuditRecorder {
  private config: RequestAuditConfig | undefined;
  private event: AuditEvent | undefined;
  private failedAuthentication = false;
  private started = false;
  private done = false;
  private readonly receivedAt = microNow();

  constructor(
    private readonly info: AuditRequestInfo,
    private readonly policy: AuditPolicy,
    private readonly sink: AuditSink,
  ) {}

  get auditID(): string {
    return this.info.auditID;
  }

  authenticated(user: UserInfo): void {
    if (this.config) return;
    this.evaluate(user);
    this.emit('RequestReceived');
  }

  authenticationFailed(): void {
    if (this.config) return;
    this.evaluate(undefined);
    this.failedAuthentication = true;
  }

  impersonated(user: UserInfo): void {
    if (this.event) this.event.impersonatedUser = eventUser(user);
  }

  authorized(decision: AuditDecision, reason: string): void {
    const ev = this.event;
    if (!ev) return;
    ev.annotations = { ...ev.annotations, 'authorization.k8s.io/decision': decision, 'authorization.k8s.io/reason': reason };
  }

  requestObject(body: unknown, object: boolean): void {
    const ev = this.event;
    if (!ev || body === undefined) return;
    // As upstream, the object's metadata fills in what the path did not say (a create's name).
    const meta = object && typeof body === 'object' && body !== null ? (body as { metadata?: Record<string, unknown> }).metadata : undefined;
    if (meta && ev.objectRef) {
      const ref = ev.objectRef;
      const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
      ref.namespace ??= str(meta.namespace);
      ref.name ??= str(meta.name);
      ref.uid ??= str(meta.uid);
      ref.resourceVersion ??= str(meta.resourceVersion);
      for (const key of ['namespace', 'name', 'uid', 'resourceVersion'] as const) if (ref[key] === undefined) delete ref[key];
    }
    if (!levelAtLeast(ev.level, 'Request')) return;
    ev.requestObject = this.config?.omitManagedFields ? withoutManagedFields(body) : body;
  }

  /** The response's head went out (a watch's stream began): the ResponseStarted stage. */
  responseStarted(code: number): void {
    const ev = this.event ?? this.ensureEvaluated();
    if (this.started || this.done || !ev) return;
    this.started = true;
    ev.responseStatus = ev.responseStatus ? { ...ev.responseStatus, code } : responseStatusOf(code);
    this.emit('ResponseStarted');
  }

  /** The response is complete: the ResponseComplete stage (once). */
  complete(response: AuditResponse): void {
    const ev = this.event ?? this.ensureEvaluated();
    if (this.done) return;
    // As upstream's failed-authentication audit: the head of a 401 is a stage of its own.
    if (ev && this.failedAuthentication && !this.started) {
      ev.responseStatus = responseStatusOf(response.code, response.status);
      this.responseStarted(response.code);
    }
    this.done = true;
    if (!ev) return;
    ev.responseStatus = responseStatusOf(response.code, response.status);
    if (levelAtLeast(ev.level, 'RequestResponse') && response.object) {
      const object = response.object();
      ev.responseObject = this.config?.omitManagedFields ? withoutManagedFields(object) : object;
    }
    this.emit('ResponseComplete');
  }

  /** Something below failed in a way no handler meant (upstream's Panic stage, instead of ResponseComplete). */
  panic(message: string): void {
    const ev = this.event ?? this.ensureEvaluated();
    if (this.done) return;
    this.done = true;
    if (!ev) return;
    ev.responseStatus = responseStatusOf(500, { status: 'Failure', reason: 'InternalError', message: `APIServer panic'd: ${message}` });
    this.emit('Panic');
  }

  /** A request that never reached authentication is judged without a user. */
  private ensureEvaluated(): AuditEvent | undefined {
    if (!this.config) this.evaluate(undefined);
    return this.event;
  }

  private evaluate(user: UserInfo | undefined): void {
    const { info } = this;
    const attrs: AuditAttributes = info.resource
      ? {
          verb: info.verb,
          resourceRequest: true,
          apiGroup: info.resource.group,
          resource: info.resource.resource,
          subresource: info.resource.subresource,
          namespace: info.resource.namespace,
          name: info.resource.name,
        }
      : { verb: info.verb, resourceRequest: false, path: info.path ?? info.requestURI };
    if (user) attrs.user = user;
    const config = evaluatePolicy(this.policy, attrs);
    this.config = config;
    if (config.level === 'None') return;
    const ev: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: config.level,
      auditID: info.auditID,
      stage: 'RequestReceived',
      requestURI: info.requestURI,
      verb: info.verb,
      user: user ? eventUser(user) : {},
      requestReceivedTimestamp: formatMicroTime(this.receivedAt),
      stageTimestamp: '',
    };
    if (info.sourceIPs.length > 0) ev.sourceIPs = info.sourceIPs;
    if (info.userAgent) ev.userAgent = info.userAgent.length > MAX_USER_AGENT ? `${info.userAgent.slice(0, MAX_USER_AGENT)}...TRUNCATED` : info.userAgent;
    if (info.resource) {
      const r = info.resource;
      const ref: ObjectReference = {};
      if (r.resource) ref.resource = r.resource;
      if (r.namespace) ref.namespace = r.namespace;
      if (r.name) ref.name = r.name;
      if (r.group) ref.apiGroup = r.group;
      if (r.version) ref.apiVersion = r.version;
      if (r.subresource) ref.subresource = r.subresource;
      ev.objectRef = ref;
    }
    this.event = ev;
  }

  private emit(stage: AuditStage): void {
    const ev = this.event;
    if (!ev || !this.config || this.config.omitStages.includes(stage)) return;
    ev.stage = stage;
    ev.stageTimestamp = stage === 'RequestReceived' ? ev.requestReceivedTimestamp : formatMicroTime(microNow());
    this.sink.write(eventLine(ev));
  }
}
