/** A TLS peer certificate as Node reports it, read into the pipeline's ClientCertificate (both transports). */
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { ClientCertificate } from '../endpoints/api-call.js';

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The subject's CN and O values of a certificate the connection presented, undefined for none. */
export function clientCertificateOf(cert: PeerCertificate | undefined, verified: boolean): ClientCertificate | undefined {
  if (!cert || !cert.raw) return undefined;
  return { commonName: values(cert.subject?.CN)[0] ?? '', organizations: values(cert.subject?.O), verified };
}

/** Read once per connection: every request on a kept-alive connection presents the same certificate. */
const perConnection = new WeakMap<TLSSocket, ClientCertificate | null>();

/** The certificate a TLS connection presented, and whether the handshake verified it. */
export function peerClientCertificate(socket: TLSSocket): ClientCertificate | undefined {
  let cert = perConnection.get(socket);
  if (cert === undefined) {
    cert = clientCertificateOf(socket.getPeerCertificate(false), socket.authorized) ?? null;
    perConnection.set(socket, cert);
  }
  return cert ?? undefined;
}
