/**
 * Calling a webhook: one HTTPS POST of the AdmissionReview JSON to `clientConfig.url`, or to
 * `https://NAME.NAMESPACE.svc:PORT/PATH` for a Service (dialled at the address the resolver
 * gives, the certificate checked against that name as upstream does), verified against the
 * configuration's `caBundle` (the system roots without one), within the webhook's timeout.
 * Failures are worded as Go's HTTP client words them, since upstream's messages embed them:
 * `Post "URL?timeout=10s": dial tcp 127.0.0.1:1234: connect: connection refused`.
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { WebhookClientConfig } from '../../../../gen/kube/admissionregistration-v1.js';

/** Where a Service's webhook is dialled: host and port. */
export type ServiceResolver = (namespace: string, name: string, port: number) => Promise<{ host: string; port: number }>;

/** A failure worded as upstream's client reports it (without the `failed to call webhook:` prefix). */
export class WebhookTransportError extends Error {}

/** Largest webhook answer read. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

interface Target {
  /** The URL dialled (with `?timeout=`). */
  url: URL;
  /** The URL as upstream names it in messages. */
  display: string;
  /** The address dialled when it is not the URL's host (a Service's endpoint). */
  dial?: { host: string; port: number };
  /** The name the certificate must carry (a Service's `NAME.NAMESPACE.svc`). */
  serverName?: string;
}

/** Go's Duration.String for whole seconds, as client-go puts it in `?timeout=`. */
const goSeconds = (ms: number): string => `${Math.ceil(ms / 1000)}s`;

/** Where a configuration points: the URL dialled, and its text as Go prints it (the port as written, `?timeout=`). */
export interface WebhookLocation {
  url: URL;
  display: string;
}

/** The URL a configuration names (before resolution), with client-go's timeout parameter. */
export function webhookLocation(cc: WebhookClientConfig, timeoutMs: number): WebhookLocation {
  const query = `?timeout=${goSeconds(timeoutMs)}`;
  if (cc.service) {
    const port = cc.service.port ?? 443;
    const path = cc.service.path ?? '';
    const display = `https://${cc.service.name ?? ''}.${cc.service.namespace ?? ''}.svc:${port}${path.startsWith('/') ? path : `/${path}`}${query}`;
    return { url: new URL(display), display };
  }
  const raw = cc.url ?? '';
  const url = new URL(raw);
  // Go keeps the authority as written (a default port too); URL would drop it.
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? url.host;
  url.search = query;
  return { url, display: `${url.protocol}//${authority}${url.pathname}${query}` };
}

/** Go's net error texts for the failures Node reports. */
function goNetError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is not valid for ${host}`;
    default:
      return err.message;
  }
}

/** client-go's wording for a non-2xx answer that is not a Status. */
function unexpectedStatus(code: number, body: string): string {
  if (code === 404) return 'the server could not find the requested resource';
  if (code === 503) return 'the server is currently unable to handle the request';
  if (code >= 500) return `an error on the server (${JSON.stringify(body.trim() || 'unknown')}) has prevented the request from succeeding`;
  return `the server responded with the status code ${code} but did not return more information`;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      throw new WebhookTransportError('response body too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function post(target: Target, body: string, caBundle: string | undefined, timeoutMs: number): Promise<unknown> {
  const { url } = target;
  const host = target.dial?.host ?? url.hostname.replace(/^\[|\]$/g, '');
  const port = target.dial?.port ?? (url.port ? Number(url.port) : 443);
  const named = `Post ${JSON.stringify(target.display)}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new WebhookTransportError(`${named}: ${message}`));
    };
    const req = httpsRequest({
      host,
      port,
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: { 'content-type': 'application/json', accept: 'application/json, */*', 'content-length': Buffer.byteLength(body), host: url.host },
      ...(caBundle ? { ca: caBundle } : {}),
      ...(target.serverName ? { servername: target.serverName } : {}),
      agent: false,
    });
    const timer = setTimeout(() => fail('context deadline exceeded'), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => fail(goNetError(err, target.serverName ?? host, port)));
    req.on('response', (res) => {
      readBody(res).then(
        (text) => {
          if (settled) return;
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (err) {
            if (code < 200 || code > 299) return fail(unexpectedStatus(code, text));
            return fail(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
          }
          if (code < 200 || code > 299) {
            const st = parsed as { kind?: unknown; message?: unknown };
            return fail(st?.kind === 'Status' && typeof st.message === 'string' ? st.message : unexpectedStatus(code, text));
          }
          settled = true;
          clearTimeout(timer);
          resolve(parsed);
        },
        (err: Error) => fail(err.message),
      );
    });
    req.end(body);
  });
}

/**
 * Posts `review` to the webhook and returns the decoded answer. Throws WebhookTransportError
 * worded as upstream's `failed to call webhook:` reason.
 */
export async function postAdmissionReview(cc: WebhookClientConfig, review: unknown, timeoutMs: number, resolve: ServiceResolver): Promise<unknown> {
  let location: WebhookLocation;
  try {
    location = webhookLocation(cc, timeoutMs);
  } catch (err) {
    throw new WebhookTransportError(`Unparsable URL: ${(err as Error).message}`);
  }
  const target: Target = { ...location };
  if (cc.service) {
    const port = cc.service.port ?? 443;
    target.serverName = `${cc.service.name ?? ''}.${cc.service.namespace ?? ''}.svc`;
    try {
      target.dial = await resolve(cc.service.namespace ?? '', cc.service.name ?? '', port);
    } catch (err) {
      throw new WebhookTransportError(`Post ${JSON.stringify(location.display)}: ${(err as Error).message}`);
    }
  }
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  return post(target, JSON.stringify(review), ca, timeoutMs);
}
