/**
 * gRPC server reflection from the compiled descriptor set of proto/
 * (`buf build -o gen/descriptor.binpb`, produced by `npm run generate`).
 */
import { readFileSync } from 'node:fs';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { Server, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { EventEmitter } from 'node:events';
import type { CallPeer } from './credentials.js';
import { toGrpcError } from './status-details.js';

/** Where the descriptor set lives, relative to this module. */
export const DESCRIPTOR_SET_URL = new URL('../../../gen/descriptor.binpb', import.meta.url);

/** Splits a FileDescriptorSet into its encoded FileDescriptorProtos (field 1), untouched. */
export function splitDescriptorSet(bytes: Uint8Array): Buffer[] {
  const r = new BinaryReader(bytes);
  const files: Buffer[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) files.push(Buffer.from(r.bytes()));
    else r.skip(wire);
  }
  return files;
}

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];
type Handlers = Record<string, (call: never) => void>;

/** Server reflection whose list of services can change while the server runs. */
export interface Reflection {
  /** Lists exactly `services` from now on. */
  update(services: readonly string[]): void;
}

/**
 * Adds the reflection service (v1 and v1alpha) listing `services`, each call checked by `guard`, refreshable with
 * `update`: the server keeps one registration whose handlers forward to the current
 * reflection instance, so a change swaps the instance, never the registration. Returns
 * undefined when the descriptor set is missing, leaving the server without reflection.
 */
/** Checks a reflection call before it is answered; rejects with the ApiError that refuses it. */
export type ReflectionGuard = (call: CallPeer) => Promise<unknown>;

export function addReflection(server: Server, services: readonly string[], descriptorSet: URL = DESCRIPTOR_SET_URL, guard?: ReflectionGuard): Reflection | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(descriptorSet);
  } catch {
    return undefined;
  }
  const fileDescriptorProtos = splitDescriptorSet(bytes);
  // The reflection service only reads `fileDescriptorProtos` of each entry.
  const pkg = { 'wheelhouse.descriptors': { fileDescriptorProtos } } as unknown as PackageDefinition;
  /** The handlers of a reflection instance for `list`, by service name, caught from its addToServer. */
  const handlersFor = (list: readonly string[]): Map<string, { definition: ServiceDefinition; handlers: Handlers }> => {
    const caught = new Map<string, { definition: ServiceDefinition; handlers: Handlers }>();
    const catcher = {
      addService(definition: ServiceDefinition, handlers: Handlers) {
        const first = Object.values(definition)[0];
        caught.set(first?.path.split('/')[1] ?? '', { definition, handlers });
      },
    };
    new ReflectionService(pkg, { services: [...list] }).addToServer(catcher as unknown as Server);
    return caught;
  };
  let current = handlersFor(services);
  for (const [name, { definition, handlers }] of current) {
    const forwarding: Handlers = {};
    for (const method of Object.keys(handlers)) {
      const forward = (call: never): void => current.get(name)?.handlers[method]?.(call);
      // A guarded call is answered once the guard lets it through (its messages wait, unread, meanwhile).
      forwarding[method] = guard
        ? (call) => {
            guard(call as unknown as CallPeer).then(
              () => forward(call),
              (err: unknown) => (call as unknown as EventEmitter).emit('error', toGrpcError(err)),
            );
          }
        : forward;
    }
    server.addService(definition, forwarding as unknown as UntypedServiceImplementation);
  }
  return {
    update(list) {
      current = handlersFor(list);
    },
  };
}
