/**
 * One generic handler per method shape of the resource services (Get, List, Create,
 * Update, UpdateStatus, Delete, Watch): request message → ApiCall → the shared
 * pipeline → result message. Errors become gRPC errors carrying the Status.
 */
import type {
  handleServerStreamingCall,
  handleUnaryCall,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedHandleCall,
} from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type {
  CreateOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
  UpdateOptions,
} from '../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { DEFAULT_USER, type ApiCall, type ApiHandler, type ApiResult, type CallOptions, type Verb } from '../../endpoints/api-call.js';
import { badRequest, successStatus, type Status } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ServedResource } from '../../registry/rest/served.js';
import { deleteCallOptions, getCallOptions, listCallOptions, writeCallOptions } from './call-options.js';
import { messageFromJson, objectFromMessage } from './objects.js';
import { statusToMessage, toGrpcError } from './status-details.js';

/** What every method handler needs. */
export interface MethodScope {
  def: ServedResource;
  handler: ApiHandler;
  /** Aborts when the server shuts down: open watches end (with OK) so shutdown is prompt. */
  shutdown?: AbortSignal;
}


interface NamedRequest {
  namespace?: string;
  name?: string;
}
interface GetRequestLike extends NamedRequest {
  options?: GetOptions;
}
interface DeleteRequestLike extends NamedRequest {
  options?: DeleteOptions;
}
interface ListRequestLike {
  namespace?: string;
  options?: ListOptions;
}
interface WriteRequestLike {
  namespace?: string;
  object?: { metadata?: { name?: string; namespace?: string } };
  options?: CreateOptions | UpdateOptions;
}


function newCall(scope: MethodScope, verb: Verb, options: CallOptions, signal: AbortSignal): ApiCall {
  const { def } = scope;
  return { verb, group: def.group, version: def.version, resource: def.resource, options, user: DEFAULT_USER, signal };
}

/**
 * The namespace a call addresses: ignored for cluster-scoped kinds; for namespaced kinds
 * the request's, else the object's; required unless the verb spans namespaces.
 */
function resolveNamespace(def: ServedResource, requested: string | undefined, fromObject?: string): string | undefined {
  if (!def.namespaced) return undefined;
  return requested || fromObject || undefined;
}

function requireNamespace(def: ServedResource, ns: string | undefined): void {
  if (def.namespaced && !ns) throw badRequest(`a namespace is required for ${def.resource}`);
}

/** Cancellation (client cancel or deadline) aborts the call's signal. */
function abortOnCancel(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): AbortController {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  return abort;
}

function objectResult(result: ApiResult): KubeObject {
  if (result.type !== 'object') throw new Error('expected an object result');
  return result.object;
}

/**
 * A unary method: runs `run` with a handler that collects the result's warnings, which
 * go back as `warning` trailers in HTTP's `299 - "…"` form.
 */
function unary<Req>(run: (req: Req, signal: AbortSignal, handle: ApiHandler) => Promise<unknown>, scope: MethodScope): handleUnaryCall<Req, unknown> {
  return (call, callback) => {
    const abort = abortOnCancel(call as ServerUnaryCall<unknown, unknown>);
    const warnings: string[] = [];
    const handle: ApiHandler = async (apiCall) => {
      const result = await scope.handler(apiCall);
      if (result.type === 'object' && result.warnings) warnings.push(...result.warnings);
      return result;
    };
    run(call.request, abort.signal, handle).then(
      (response) => {
        const trailer = new Metadata();
        for (const w of warnings) trailer.add('warning', `299 - ${JSON.stringify(w)}`);
        callback(null, response, trailer);
      },
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
}

/** Get(GetRequest) → object. */
export function getMethod(scope: MethodScope): handleUnaryCall<GetRequestLike, unknown> {
  return unary(async (req: GetRequestLike, signal, handle) => {
    const call = newCall(scope, 'get', getCallOptions(req.options), signal);
    const ns = resolveNamespace(scope.def, req.namespace);
    requireNamespace(scope.def, ns);
    if (ns) call.namespace = ns;
    call.name = req.name ?? '';
    return messageFromJson(scope.def.typeName, objectResult(await handle(call)));
  }, scope);
}

/** List(ListRequest) → list; an empty namespace lists across namespaces. */
export function listMethod(scope: MethodScope): handleUnaryCall<ListRequestLike, unknown> {
  return unary(async (req: ListRequestLike, signal, handle) => {
    const call = newCall(scope, 'list', listCallOptions(req.options), signal);
    const ns = resolveNamespace(scope.def, req.namespace);
    if (ns) call.namespace = ns;
    return messageFromJson(scope.def.listTypeName, objectResult(await handle(call)));
  }, scope);
}

/** Create / Update / UpdateStatus(CreateXRequest | UpdateXRequest) → object. */
export function writeMethod(scope: MethodScope, verb: 'create' | 'update', subresource?: 'status'): handleUnaryCall<WriteRequestLike, unknown> {
  return unary(async (req: WriteRequestLike, signal, handle) => {
    const call = newCall(scope, verb, writeCallOptions(req.options), signal);
    const meta = req.object?.metadata;
    const ns = resolveNamespace(scope.def, req.namespace, meta?.namespace);
    requireNamespace(scope.def, ns);
    if (ns) call.namespace = ns;
    if (verb === 'update') call.name = meta?.name ?? '';
    if (subresource) call.subresource = subresource;
    call.body = objectFromMessage(scope.def, req.object);
    return messageFromJson(scope.def.typeName, objectResult(await handle(call)));
  }, scope);
}

/** Delete(DeleteRequest) → meta Status (Success with the object's identity when it lingers). */
export function deleteMethod(scope: MethodScope): handleUnaryCall<DeleteRequestLike, unknown> {
  return unary(async (req: DeleteRequestLike, signal, handle) => {
    const call = newCall(scope, 'delete', deleteCallOptions(req.options), signal);
    const ns = resolveNamespace(scope.def, req.namespace);
    requireNamespace(scope.def, ns);
    if (ns) call.namespace = ns;
    call.name = req.name ?? '';
    const object = objectResult(await handle(call));
    if (object.kind === 'Status') return statusToMessage(object as unknown as Status);
    const { def } = scope;
    return statusToMessage(
      successStatus({ name: call.name, ...(def.group ? { group: def.group } : {}), kind: def.resource, uid: object.metadata?.uid ?? '' }),
    );
  }, scope);
}

/** Writes one message, waiting for the stream to drain when it is full (or the call to end). */
function write(stream: ServerWritableStream<unknown, unknown>, message: unknown, signal: AbortSignal): Promise<void> {
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
export function watchMethod(scope: MethodScope): handleServerStreamingCall<ListRequestLike, unknown> {
  return (stream) => {
    const abort = abortOnCancel(stream as ServerWritableStream<unknown, unknown>);
    const out = stream as ServerWritableStream<unknown, unknown>;
    const onShutdown = (): void => abort.abort();
    scope.shutdown?.addEventListener('abort', onShutdown, { once: true });
    abort.signal.addEventListener('abort', () => scope.shutdown?.removeEventListener('abort', onShutdown), { once: true });
    void (async () => {
      const call = newCall(scope, 'watch', listCallOptions(stream.request.options), abort.signal);
      const ns = resolveNamespace(scope.def, stream.request.namespace);
      if (ns) call.namespace = ns;
      const result = await scope.handler(call);
      if (result.type !== 'watch') throw new Error('expected a watch result');
      try {
        for await (const ev of result.events) {
          if (abort.signal.aborted) break;
          if (ev.type === 'ERROR') {
            await write(out, { type: ev.type, status: statusToMessage(ev.object as unknown as Status) }, abort.signal);
            break;
          }
          await write(out, { type: ev.type, object: messageFromJson(scope.def.typeName, ev.object) }, abort.signal);
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

/** The handler for one method of a resource service, by its method key. */
export function methodHandler(scope: MethodScope, method: string): UntypedHandleCall | undefined {
  switch (method) {
    case 'get':
      return getMethod(scope) as UntypedHandleCall;
    case 'list':
      return listMethod(scope) as UntypedHandleCall;
    case 'create':
      return writeMethod(scope, 'create') as UntypedHandleCall;
    case 'update':
      return writeMethod(scope, 'update') as UntypedHandleCall;
    case 'updateStatus':
      return writeMethod(scope, 'update', 'status') as UntypedHandleCall;
    case 'delete':
      return deleteMethod(scope) as UntypedHandleCall;
    case 'watch':
      return watchMethod(scope) as UntypedHandleCall;
    default:
      return undefined;
  }
}
