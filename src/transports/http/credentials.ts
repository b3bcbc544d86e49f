/** What an HTTP request presents as credentials: headers, and the TLS client certificate when there is one. */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Credentials } from '../../endpoints/api-call.js';
import { credentialsFromHeaders } from '../../endpoints/request/credentials.js';
import { peerClientCertificate } from '../peer-certificate.js';

/** Reads the request's credentials; nothing is checked here. */
export function httpCredentials(req: IncomingMessage): Credentials {
  const values = (name: string): string[] => {
    const v = req.headers[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const credentials = credentialsFromHeaders(values, Object.keys(req.headers));
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.encrypted && typeof socket.getPeerCertificate === 'function') {
    const cert = peerClientCertificate(socket as TLSSocket);
    if (cert) credentials.clientCertificate = cert;
  }
  return credentials;
}
