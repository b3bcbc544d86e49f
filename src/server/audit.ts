/**
 * The audit from the flags: `--audit-policy-file` read and validated (a bad file is a one-line
 * start-up error), `--audit-log-path` opened as the log backend. As upstream, nothing is audited
 * unless both are given.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { type Auditor, createAuditor } from '../endpoints/audit/auditor.js';
import { createLogBackend, type LogBackend } from '../endpoints/audit/log-backend.js';
import { type AuditPolicy, parsePolicy, PolicyError } from '../endpoints/audit/policy.js';
import type { ServerOptions } from './options.js';
import { StartupError } from './startup-error.js';

/** Reads the policy file, or throws a StartupError saying what is wrong with it. */
export function loadAuditPolicy(path: string): AuditPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StartupError(`loading audit policy file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parsePolicy(text, path);
  } catch (err) {
    if (err instanceof PolicyError) throw new StartupError(`loading audit policy file: ${err.message}`);
    throw err;
  }
}

export interface ServerAudit {
  auditor: Auditor;
  backend: LogBackend;
}

/** The policy when the flags turn auditing on (read first, so a bad file stops the start before anything is made). */
export function auditPolicyOf(opts: ServerOptions): AuditPolicy | undefined {
  return opts.auditPolicyFile && opts.auditLogPath ? loadAuditPolicy(opts.auditPolicyFile) : undefined;
}

/** The auditor and its log, or undefined without a policy. */
export function serverAudit(opts: ServerOptions, policy: AuditPolicy | undefined, logger: Logger): ServerAudit | undefined {
  if (!policy || !opts.auditLogPath) return undefined;
  let reported = 0;
  const backend = createLogBackend({
    path: opts.auditLogPath,
    maxSizeMB: opts.auditLogMaxSize,
    maxBackups: opts.auditLogMaxBackup,
    maxAgeDays: opts.auditLogMaxAge,
    // A failing disk is said, not repeated for every event.
    onError: (err, what) => {
      if (reported++ < 10 || reported % 1000 === 0) logger.error({ err, path: opts.auditLogPath }, what);
    },
  });
  return { auditor: createAuditor(policy, backend), backend };
}
