/** A TLS peer certificate as Node reports it, read into the pipeline's ClientCertificate (both transports). */
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { ClientCertificate } from '../endpoints/api-call.js';

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The certificate a TLS connection presented, or undefined when it presented none. */
export function peerClientCertificate(socket: TLSSocket): ClientCertificate | undefined {
  const cert: PeerCertificate = socket.getPeerCertificate(false);
  if (!cert || !cert.raw) return undefined;
  const out: ClientCertificate = {
    commonName: values(cert.subject?.CN)[0] ?? '',
    organizations: values(cert.subject?.O),
    verified: socket.authorized,
  };
  if (!socket.authorized && socket.authorizationError) out.verifyError = String(socket.authorizationError);
  return out;
}
