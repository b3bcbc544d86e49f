/**
 * gRPC server reflection from the compiled descriptor set of proto/
 * (`buf build -o gen/descriptor.binpb`, produced by `npm run generate`).
 */
import { readFileSync } from 'node:fs';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';

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

/**
 * Adds the reflection service (v1 and v1alpha) listing `services`. Returns false when
 * the descriptor set is missing, leaving the server without reflection.
 */
export function addReflection(server: Server, services: string[], descriptorSet: URL = DESCRIPTOR_SET_URL): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(descriptorSet);
  } catch {
    return false;
  }
  const fileDescriptorProtos = splitDescriptorSet(bytes);
  // The reflection service only reads `fileDescriptorProtos` of each entry.
  const pkg = { 'wheelhouse.descriptors': { fileDescriptorProtos } } as unknown as PackageDefinition;
  new ReflectionService(pkg, { services }).addToServer(server);
  return true;
}
