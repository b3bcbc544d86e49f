/**
 * The two transports of the parity test, each addressing one served resource version the
 * way its clients do: gRPC through the method definitions of the generated service (one
 * channel, any method by its key), HTTP through fetch with Kubernetes JSON. Both answer
 * an Outcome in Kubernetes JSON: the reply converted through the server's schema codec, or
 * the Status of the failure (for gRPC, recovered from the status details).
 */
import { Client, type ChannelCredentials, type Metadata, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import type { ResourceFacts, ResourceVersionFacts } from '../../../gen/resources.js';
import { kubeJsonToMessage, messageToKubeJson } from '../../../src/machinery/schema/index.js';
import { statusFromGrpcError } from '../../../src/transports/grpc/status-details.js';

export type Json = Record<string, any>;

/** A call's outcome: the reply as Kubernetes JSON (without apiVersion/kind), or the failure's Status. */
export type Outcome = { ok: true; body: Json } | { ok: false; status: Json; grpcCode?: number; httpCode?: number };

export const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
export const STATUS_TYPE = `${META}.Status`;
export const SCALE_TYPE = 'k8s.io.api.autoscaling.v1.Scale';

/** Kubernetes JSON → the ts-proto message of `typeName` (repeated fields present, as encode needs). */
export const toMessage = (typeName: string, json: unknown): Json => kubeJsonToMessage(typeName, json).message as Json;

/** One served resource version as the test addresses it. */
export interface Target {
  facts: ResourceFacts;
  version: ResourceVersionFacts;
  /** The namespace of a namespaced kind. */
  namespace?: string;
}

/** The object's apiVersion as HTTP writes it. */
export const apiVersionOf = (t: Target): string => (t.facts.group ? `${t.facts.group}/${t.version.version}` : t.version.version);

/** Drops apiVersion/kind from an HTTP reply (and its list items) after checking them; protobuf objects carry none. */
export function withoutTypeMeta(body: Json, want?: { apiVersion: string; kind: string }): Json {
  const { apiVersion, kind, ...rest } = body;
  if (want && (apiVersion !== want.apiVersion || kind !== want.kind)) {
    throw new Error(`HTTP reply is ${String(apiVersion)}/${String(kind)}, want ${want.apiVersion}/${want.kind}: ${JSON.stringify(body)}`);
  }
  if (Array.isArray(rest.items)) rest.items = rest.items.map((i: Json) => withoutTypeMeta(i));
  return rest;
}

/** HTTP: JSON requests against the server's URL. */
export class HttpTransport {
  constructor(private readonly base: string) {}

  /** The path of the collection, an object or its subresource. */
  path(t: Target, name?: string, subresource?: string): string {
    const root = t.facts.group ? `/apis/${t.facts.group}/${t.version.version}` : `/api/${t.version.version}`;
    const ns = t.facts.namespaced && t.namespace ? `/namespaces/${t.namespace}` : '';
    return `${root}${ns}/${t.facts.resource}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  /**
   * Sends one request; a 2xx reply's apiVersion/kind are checked against `replyKind`
   * and dropped (kept as sent when there is none), a failure answers its Status.
   */
  async send(method: string, path: string, query: Record<string, string | undefined>, body?: unknown, contentType = 'application/json', replyKind?: { apiVersion: string; kind: string }): Promise<Outcome> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    const url = `${this.base}${path}${params.size ? `?${params}` : ''}`;
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = contentType;
    }
    const res = await fetch(url, init);
    const text = await res.text();
    let json: Json;
    try {
      json = JSON.parse(text) as Json;
    } catch {
      throw new Error(`${method} ${url}: HTTP ${res.status} answered no JSON: ${text}`);
    }
    if (res.status >= 400) return { ok: false, status: json, httpCode: res.status };
    return { ok: true, body: replyKind ? withoutTypeMeta(json, replyKind) : json };
  }

  /** Reads a watch until `done` holds for the events; rejects after `ms`. */
  async watch(path: string, query: Record<string, string>, done: (events: Json[]) => boolean, ms: number): Promise<Json[]> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    const events: Json[] = [];
    const params = new URLSearchParams({ ...query, watch: 'true' });
    try {
      const res = await fetch(`${this.base}${path}?${params}`, { headers: { accept: 'application/json' }, signal: abort.signal });
      if (res.status !== 200) throw new Error(`watch ${path}: HTTP ${res.status} ${await res.text()}`);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error(`watch ${path} ended after ${events.length} events`);
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buffer.slice(0, i)) as Json;
          buffer = buffer.slice(i + 1);
          events.push(ev.object ? { type: ev.type, object: withoutTypeMeta(ev.object as Json) } : ev);
          if (done(events)) return events;
        }
      }
    } catch (err) {
      if (abort.signal.aborted) throw new Error(`HTTP watch ${path}: not done within ${ms} ms; saw ${JSON.stringify(events)}`);
      throw err;
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }
}

type AnyMethod = MethodDefinition<Json, Json>;

/** gRPC: any method of a generated service definition over one channel. */
export class GrpcTransport {
  private readonly client: Client;

  constructor(address: string, credentials: ChannelCredentials) {
    this.client = new Client(address, credentials);
  }

  close(): void {
    this.client.close();
  }

  /** Calls a unary method; the reply is converted from the message `replyType`. */
  unary(method: AnyMethod, request: Json, replyType: string): Promise<Outcome> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, (err: ServiceError | null, reply?: Json) => {
        if (err) resolve({ ok: false, status: statusFromGrpcError(err as ServiceError & { metadata: Metadata }) as unknown as Json, grpcCode: err.code });
        else resolve({ ok: true, body: messageToKubeJson(replyType, reply ?? {}) as Json });
      });
    });
  }

  /** Reads a Watch stream until `done` holds for the events (objects as Kubernetes JSON of `objectType`); rejects after `ms`. */
  watch(method: AnyMethod, request: Json, objectType: string, done: (events: Json[]) => boolean, ms: number): Promise<Json[]> {
    return new Promise((resolve, reject) => {
      const events: Json[] = [];
      const stream = this.client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request);
      const timer = setTimeout(() => {
        stream.cancel();
        reject(new Error(`gRPC watch ${method.path}: not done within ${ms} ms; saw ${JSON.stringify(events)}`));
      }, ms);
      let finished = false;
      stream.on('data', (ev: Json) => {
        if (finished) return;
        const out: Json = { type: ev.type };
        if (ev.object) out.object = messageToKubeJson(objectType, ev.object);
        if (ev.status) out.object = messageToKubeJson(STATUS_TYPE, ev.status);
        events.push(out);
        if (done(events)) {
          finished = true;
          clearTimeout(timer);
          stream.cancel();
          resolve(events);
        }
      });
      stream.on('error', (err: ServiceError) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        reject(new Error(`gRPC watch ${method.path} failed after ${events.length} events: ${err.message}`));
      });
      stream.on('end', () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        reject(new Error(`gRPC watch ${method.path} ended after ${events.length} events: ${JSON.stringify(events)}`));
      });
    });
  }
}
