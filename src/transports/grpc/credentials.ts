/** What a gRPC call presents as credentials: `authorization` and `impersonate-*` metadata, carried unchecked. */
import type { Metadata } from '@grpc/grpc-js';
import type { Credentials } from '../../endpoints/api-call.js';
import { credentialsFromHeaders } from '../../endpoints/request/credentials.js';

/** Reads a call's credentials from its metadata. */
export function grpcCredentials(metadata: Metadata): Credentials {
  const values = (name: string): string[] => metadata.get(name).filter((v): v is string => typeof v === 'string');
  return credentialsFromHeaders(values, Object.keys(metadata.getMap()));
}
