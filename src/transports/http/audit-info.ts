/**
 * What the audit needs of an HTTP request: its audit ID — the client's `Audit-ID` header, else
 * a fresh UUID — answered in the `Audit-ID` response header of every request as upstream does,
 * and the client's addresses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sourceIPs } from '../../endpoints/request/source-ips.js';

const AUDIT_IDS = new WeakMap<IncomingMessage, string>();

/** The request's audit ID (made on first ask). */
export function auditIdOf(req: IncomingMessage): string {
  let id = AUDIT_IDS.get(req);
  if (id === undefined) {
    const sent = req.headers['audit-id'];
    id = typeof sent === 'string' && sent.trim() !== '' ? sent.trim() : crypto.randomUUID();
    AUDIT_IDS.set(req, id);
  }
  return id;
}

/** Sets the `Audit-ID` response header. */
export function answerAuditId(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Audit-Id', auditIdOf(req));
}

/** The client's addresses (forwarded-for entries, then the peer). */
export function httpSourceIPs(req: IncomingMessage): string[] {
  const values = (name: string): string[] => {
    const v = req.headers[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  return sourceIPs(values, req.socket.remoteAddress);
}
