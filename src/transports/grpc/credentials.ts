/**
 * What a gRPC call presents as credentials: `authorization` and `impersonate-*` metadata, and
 * the TLS client certificate the handshake verified, carried unchecked to the pipeline.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import type { Credentials } from '../../endpoints/api-call.js';
import { credentialsFromHeaders } from '../../endpoints/request/credentials.js';
import { peerAddress, sourceIPs } from '../../endpoints/request/source-ips.js';
import { clientCertificateOf } from '../peer-certificate.js';

/** The part of a grpc-js call that says what its connection proved. */
export interface CallPeer {
  metadata: Metadata;
  getAuthContext?(): { sslPeerCertificate?: PeerCertificate };
  getPeer?(): string;
}

/** The client's addresses, for the audit: forwarded-for metadata, then the connection's peer. */
export function grpcSourceIPs(call: CallPeer): string[] {
  const header = (name: string): string[] => call.metadata.get(name).filter((v): v is string => typeof v === 'string');
  return sourceIPs(header, peerAddress(call.getPeer?.()));
}

/**
 * Reads a call's credentials. grpc-js reports a peer certificate only once the handshake has
 * verified it against the client CAs, so one that failed verification is not presented at all.
 */
export function grpcCredentials(call: CallPeer): Credentials {
  const { metadata } = call;
  const header = (name: string): string[] => metadata.get(name).filter((v): v is string => typeof v === 'string');
  const credentials = credentialsFromHeaders(header, Object.keys(metadata.getMap()));
  const cert = clientCertificateOf(call.getAuthContext?.().sslPeerCertificate, true);
  if (cert) credentials.clientCertificate = cert;
  return credentials;
}
