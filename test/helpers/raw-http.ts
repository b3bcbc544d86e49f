/**
 * Raw HTTP clients for tests that work below fetch (exact paths, sockets, watches): the
 * server's scheme decides between node:http and node:https, plain TCP and TLS. The test CA is
 * trusted through NODE_EXTRA_CA_CERTS, and the serving certificate names 127.0.0.1.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

/** A server the tests reach: a RunningServer, or a server process's port and URL. */
export interface RawTarget {
  httpPort: number;
  tls?: boolean;
  url?: string;
}

/** Whether the target serves TLS. */
export function servesTls(target: RawTarget): boolean {
  return target.tls ?? target.url?.startsWith('https:') ?? false;
}

/** node:http or node:https, whichever the target (or an absolute URL) speaks; the same API. */
export function httpClient(target: RawTarget | string): typeof http {
  const secure = typeof target === 'string' ? target.startsWith('https:') : servesTls(target);
  return secure ? (https as unknown as typeof http) : http;
}

/** A raw connection to the target's HTTP port: TLS when it serves TLS. */
export function connectRaw(target: RawTarget, onConnect?: () => void): net.Socket {
  if (servesTls(target)) return tls.connect({ port: target.httpPort, host: '127.0.0.1' }, onConnect);
  return net.connect(target.httpPort, '127.0.0.1', onConnect);
}
