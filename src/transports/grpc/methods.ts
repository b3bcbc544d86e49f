/**
 * One generic handler per method of the generated resource services: the request
 * message becomes an ApiCall (attributes, credentials, undecoded body), the shared
 * pipeline resolves and runs it, and the result goes back as the reply message.
 * Errors become gRPC errors carrying the Status. The methods of action subresources
 * (`CreateBinding`, `CreateEviction`, `CreateToken`) and a Create answering something other
 * than the object come from the declaration (gen/resources.ts), never from a list here.
 */
import type { handleServerStreamingCall, handleUnaryCall, ServerUnaryCall, ServerWritableStream, UntypedHandleCall } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type { CreateOptions, DeleteOptions, GetOptions, ListOptions, PatchOptions, UpdateOptions } from '../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { type ApiCall, type ApiHandler, type ApiResult, type CallOptions, type RequestBody, type Verb } from '../../endpoints/api-call.js';
import { SCALE_KIND } from '../../endpoints/verbs.js';
import { successStatus, type Status } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ServedResource } from '../../registry/rest/served.js';
import { getCallOptions, listCallOptions, writeCallOptions } from './call-options.js';
import { grpcCredentials, grpcSourceIPs, type CallPeer } from './credentials.js';
import { messageFromJson } from './objects.js';
import { UndecodableRequest } from './request-decoding.js';
import { declaredResource } from './services.js';
import { acceptSharedFrames, frameMessage, SharedFrame } from './shared-frames.js';
import { statusToMessage, toGrpcError } from './status-details.js';
import type { WatchEncodings } from '../../endpoints/watch-encoding.js';

/** What every method handler needs. */
export interface MethodScope {
  def: ServedResource;
  handler: ApiHandler;
  /** Aborts when the server shuts down: open watches end (with OK) so shutdown is prompt. */
  shutdown?: AbortSignal;
  /**
   * Watch events as bytes shared by every watcher: the Watch method's own serializer, run
   * once per event, and the frame around it built once (shared-frames.ts); a stream that
   * cannot take frames writes the message bytes, which the service's Watch takes as they
   * are (see server.ts). Absent: each watcher's messages are serialized by grpc-js.
   */
  sharedWatch?: { encodings: WatchEncodings; serialize: (message: unknown) => Buffer };
}

/** The union of the request messages' fields (GetRequest, CreateXRequest, PatchRequest, …). */
interface AnyRequest {
  namespace?: string;
  name?: string;
  object?: { metadata?: { name?: string } };
  raw?: Uint8Array;
  contentType?: string;
  patchType?: string;
  patch?: Uint8Array;
  options?: GetOptions & ListOptions & CreateOptions & UpdateOptions & PatchOptions & DeleteOptions;
  listOptions?: ListOptions;
  deleteOptions?: DeleteOptions;
}

/** How one method maps to the API: its verb and subresource, its options, its body and its reply. */
interface MethodSpec {
  verb: Verb;
  /** status, approval, scale, or an action's name (binding, eviction, token). */
  subresource?: string;
  options: (req: AnyRequest) => CallOptions;
  body?: (req: AnyRequest) => RequestBody | undefined;
  /** The reply: the resource's object, list or Status, a Scale, or the named message (an action's reply). */
  reply: 'object' | 'list' | 'status' | 'scale' | { typeName: string };
}

const nonEmpty = (s: string | undefined): string | undefined => (s ? s : undefined);

/** A typed object, else the `raw` bytes; neither is an empty body, decoded as HTTP decodes one. */
function objectBody(req: AnyRequest): RequestBody | undefined {
  if (req.object) return { type: 'message', message: req.object };
  const data = req.raw ?? new Uint8Array(0);
  return req.contentType ? { type: 'encoded', data, contentType: req.contentType } : { type: 'encoded', data };
}

function patchBody(req: AnyRequest): RequestBody {
  const data = req.patch ?? new Uint8Array(0);
  return req.patchType ? { type: 'encoded', data, contentType: req.patchType } : { type: 'encoded', data };
}

const deleteBody = (options: DeleteOptions | undefined): RequestBody | undefined => (options ? { type: 'message', message: options } : undefined);

const write = (req: AnyRequest): CallOptions => writeCallOptions(req.options);
const get = (req: AnyRequest): CallOptions => getCallOptions(req.options);

const METHODS: Readonly<Record<string, MethodSpec>> = {
  get: { verb: 'get', options: get, reply: 'object' },
  list: { verb: 'list', options: (r) => listCallOptions(r.options), reply: 'list' },
  create: { verb: 'create', options: write, body: objectBody, reply: 'object' },
  update: { verb: 'update', options: write, body: objectBody, reply: 'object' },
  patch: { verb: 'patch', options: write, body: patchBody, reply: 'object' },
  delete: { verb: 'delete', options: () => ({}), body: (r) => deleteBody(r.options), reply: 'status' },
  deleteCollection: { verb: 'deletecollection', options: (r) => listCallOptions(r.listOptions), body: (r) => deleteBody(r.deleteOptions), reply: 'list' },
  getStatus: { verb: 'get', subresource: 'status', options: get, reply: 'object' },
  updateStatus: { verb: 'update', subresource: 'status', options: write, body: objectBody, reply: 'object' },
  patchStatus: { verb: 'patch', subresource: 'status', options: write, body: patchBody, reply: 'object' },
  getApproval: { verb: 'get', subresource: 'approval', options: get, reply: 'object' },
  updateApproval: { verb: 'update', subresource: 'approval', options: write, body: objectBody, reply: 'object' },
  patchApproval: { verb: 'patch', subresource: 'approval', options: write, body: patchBody, reply: 'object' },
  getScale: { verb: 'get', subresource: 'scale', options: get, reply: 'scale' },
  updateScale: { verb: 'update', subresource: 'scale', options: write, body: objectBody, reply: 'scale' },
  patchScale: { verb: 'patch', subresource: 'scale', options: write, body: patchBody, reply: 'scale' },
};

/** The call's audit ID: the client's `audit-id` metadata, else a fresh UUID (answered as `audit-id` response metadata). */
function grpcAuditId(metadata: Metadata): string {
  const sent = metadata.get('audit-id')[0];
  return typeof sent === 'string' && sent.trim() !== '' ? sent.trim() : crypto.randomUUID();
}

/** Response metadata naming the call's audit ID, as HTTP's `Audit-ID` header does. */
function auditIdMetadata(call: ApiCall): Metadata {
  const md = new Metadata();
  if (call.auditID) md.set('audit-id', call.auditID);
  return md;
}

/** The ApiCall of a request: the request's namespace and name are the HTTP path's. */
function apiCall(scope: MethodScope, spec: MethodSpec, req: AnyRequest, peer: CallPeer, signal: AbortSignal): ApiCall {
  const { metadata } = peer;
  const { def } = scope;
  const call: ApiCall = {
    action: { verb: spec.verb },
    group: def.group,
    version: def.version,
    resource: def.resource,
    credentials: grpcCredentials(peer),
    options: spec.options(req),
    signal,
    sourceIPs: grpcSourceIPs(peer),
    auditID: grpcAuditId(metadata),
  };
  if (spec.subresource) call.subresource = spec.subresource;
  const userAgent = metadata.get('user-agent')[0];
  if (typeof userAgent === 'string' && userAgent) call.userAgent = userAgent;
  const namespace = nonEmpty(req.namespace);
  if (namespace !== undefined) call.namespace = namespace;
  // Updates and actions name their object by the typed body's metadata unless the request says otherwise.
  const namedByBody = spec.verb === 'update' || (spec.verb === 'create' && spec.subresource !== undefined);
  const name = nonEmpty(req.name) ?? (namedByBody ? nonEmpty(req.object?.metadata?.name) : undefined);
  if (name !== undefined) call.name = name;
  const body = spec.body?.(req);
  if (body) call.body = body;
  return call;
}

/** Cancellation (client cancel or deadline) aborts the call's signal. */
function abortOnCancel(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): AbortController {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  return abort;
}

/**
 * What is left of the client's deadline, in milliseconds (at least 1: a deadline already
 * passed is still one), or undefined when it set none; the pipeline takes the shorter of it
 * and the server's request timeout.
 */
function remainingMs(deadline: Date | number): number | undefined {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return undefined;
  return Math.max(1, at - Date.now());
}

/** The reply message of a unary method's result. */
function reply(scope: MethodScope, spec: MethodSpec, call: ApiCall, result: ApiResult): unknown {
  if (result.type !== 'object') throw new Error('expected an object result');
  const { def } = scope;
  const object: KubeObject = result.object;
  if (typeof spec.reply === 'object') return messageFromJson(spec.reply.typeName, object);
  switch (spec.reply) {
    case 'object':
      return messageFromJson(def.typeName, object);
    case 'list':
      return messageFromJson(def.listTypeName, object);
    case 'scale':
      return messageFromJson(SCALE_KIND.typeName, object);
    case 'status':
      if (object.kind === 'Status') return statusToMessage(object as unknown as Status);
      return statusToMessage(
        successStatus({ name: call.name ?? '', ...(def.group ? { group: def.group } : {}), kind: def.resource, uid: object.metadata?.uid ?? '' }),
      );
  }
}

/** A unary method; the result's warnings go back as `warning` trailers in HTTP's `299 - "…"` form. */
function unaryMethod(scope: MethodScope, spec: MethodSpec): handleUnaryCall<AnyRequest, unknown> {
  return (call, callback) => {
    if ((call.request as unknown) instanceof UndecodableRequest) {
      callback(toGrpcError((call.request as unknown as UndecodableRequest).error));
      return;
    }
    const abort = abortOnCancel(call as ServerUnaryCall<unknown, unknown>);
    const request = apiCall(scope, spec, call.request, call, abort.signal);
    call.sendMetadata(auditIdMetadata(request));
    const timeoutMs = remainingMs(call.getDeadline());
    if (timeoutMs !== undefined) request.timeoutMs = timeoutMs;
    scope.handler(request).then(
      (result) => {
        const trailer = new Metadata();
        for (const w of result.type === 'object' ? (result.warnings ?? []) : []) trailer.add('warning', `299 - ${JSON.stringify(w)}`);
        callback(null, reply(scope, spec, request, result), trailer);
      },
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** Writes one message, waiting for the stream to drain when it is full (or the call to end). */
function writeMessage(stream: ServerWritableStream<unknown, unknown>, message: unknown, signal: AbortSignal): Promise<void> {
  if (stream.write(message) || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Watch(ListRequest) → stream of XWatchEvent until the client cancels or the
 * server-side timeout ends the stream (with OK). ERROR events carry `status` and end it.
 */
export function watchMethod(scope: MethodScope): handleServerStreamingCall<AnyRequest, unknown> {
  return (stream) => {
    const out = stream as ServerWritableStream<unknown, unknown>;
    if ((stream.request as unknown) instanceof UndecodableRequest) {
      out.emit('error', toGrpcError((stream.request as unknown as UndecodableRequest).error));
      return;
    }
    const abort = abortOnCancel(out);
    const onShutdown = (): void => abort.abort();
    scope.shutdown?.addEventListener('abort', onShutdown, { once: true });
    abort.signal.addEventListener('abort', () => scope.shutdown?.removeEventListener('abort', onShutdown), { once: true });
    const spec: MethodSpec = { verb: 'watch', options: (r) => listCallOptions(r.options), reply: 'object' };
    const takesFrames = scope.sharedWatch !== undefined && acceptSharedFrames(out);
    const request = apiCall(scope, spec, stream.request, stream, abort.signal);
    out.sendMetadata(auditIdMetadata(request));
    void (async () => {
      const result = await scope.handler(request);
      if (result.type !== 'watch') throw new Error('expected a watch result');
      try {
        for await (const ev of result.events) {
          if (abort.signal.aborted) break;
          if (ev.type === 'ERROR') {
            await writeMessage(out, { type: ev.type, status: statusToMessage(ev.object as unknown as Status) }, abort.signal);
            break;
          }
          const message = (): Record<string, unknown> => ({ type: ev.type, object: messageFromJson(scope.def.typeName, ev.object) });
          const shared = scope.sharedWatch;
          if (!shared) {
            await writeMessage(out, message(), abort.signal);
            continue;
          }
          // The event's frame, built once for every watcher; a stream that takes frames writes
          // it as it is, another writes the message inside it (grpc-js frames that again).
          const frame = asBuffer(shared.encodings.bytes(ev, 'grpc', scope.def, () => frameMessage(shared.serialize(message()))));
          shared.encodings.sent(scope.def, frame.length - 5);
          await writeMessage(out, takesFrames ? new SharedFrame(frame) : frame.subarray(5), abort.signal);
        }
      } finally {
        abort.abort();
      }
    })().then(
      () => {
        if (!out.cancelled) out.end();
      },
      (err: unknown) => {
        abort.abort();
        if (!out.cancelled) out.emit('error', toGrpcError(err));
      },
    );
  };
}

/**
 * The spec of a method the declaration derives: an action's `Create<Name>` (a create of that
 * subresource, answered with the action's reply message), or a Create whose reply is declared.
 */
function declaredSpec(def: ServedResource, method: string): MethodSpec | undefined {
  const facts = declaredResource(def);
  const action = facts?.actions?.find((a) => a.method === method);
  if (action) return { verb: 'create', subresource: action.subresource, options: write, body: objectBody, reply: { typeName: action.replyType } };
  if (method === 'create' && facts?.createReply) return { ...(METHODS.create as MethodSpec), reply: { typeName: facts.createReply } };
  return undefined;
}

/** The handler for one method of a resource service, by its method key; undefined for an unknown method. */
export function methodHandler(scope: MethodScope, method: string): UntypedHandleCall | undefined {
  if (method === 'watch') return watchMethod(scope) as UntypedHandleCall;
  const spec = declaredSpec(scope.def, method) ?? METHODS[method];
  return spec ? (unaryMethod(scope, spec) as UntypedHandleCall) : undefined;
}
