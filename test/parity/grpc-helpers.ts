/** Small helpers for tests that talk to the gRPC transport with the generated clients. */
import type { Metadata, ServiceError } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { kubeJsonToMessage, messageToKubeJson } from '../../src/machinery/schema/index.js';
import type { Status } from '../../src/machinery/errors/index.js';
import { statusFromGrpcError } from '../../src/transports/grpc/status-details.js';

/** Calls a callback-style unary method and resolves with its response. */
export function unary<T>(invoke: (cb: (err: ServiceError | null, res: T) => void) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    invoke((err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Kubernetes JSON → the ts-proto message the generated client sends. */
export function toMessage<T = Record<string, unknown>>(typeName: string, json: unknown): T {
  return kubeJsonToMessage(typeName, json).message as T;
}

/** A ts-proto message → Kubernetes JSON (no apiVersion/kind: protobuf objects carry none). */
export function toJson(typeName: string, message: object): Record<string, unknown> {
  return messageToKubeJson(typeName, message) as Record<string, unknown>;
}

/** What a failed gRPC call tells the client: its code, message and the recovered Status. */
export interface GrpcFailure {
  grpcCode: GrpcStatus;
  details: string;
  status: Status;
}

/** Runs a call expected to fail and returns the failure; throws when it succeeds. */
export async function grpcFailure(run: () => Promise<unknown>): Promise<GrpcFailure> {
  try {
    await run();
  } catch (err) {
    const e = err as ServiceError & { metadata: Metadata };
    return { grpcCode: e.code, details: e.details, status: statusFromGrpcError(e) };
  }
  throw new Error('expected the call to fail');
}
