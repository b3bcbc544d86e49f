/**
 * The flags every component takes, as upstream's components take them: where the server is
 * and who to be (`--server`, `--kubeconfig`, `--token`, `--token-file`, `--ca-file`,
 * `--cert-file`, `--key-file`, `--insecure`), and leader election (`--leader-elect`,
 * `--leader-elect-lease-duration`, `--leader-elect-renew-deadline`,
 * `--leader-elect-retry-period`, `--leader-elect-resource-namespace`,
 * `--leader-elect-resource-name`, `--identity`).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ConnectOptions } from './connection.js';

export interface LeaderElectionFlags {
  enabled: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  namespace: string;
  name: string;
  identity: string;
}

export interface ComponentFlags {
  connect: ConnectOptions;
  leaderElection: LeaderElectionFlags;
  /** Flags not consumed here, by name (`--x=y` and `--x y` alike; a bare flag is 'true'). */
  rest: Map<string, string>;
}

export const COMPONENT_FLAGS_HELP = `  --server host:port        the API server's gRPC address (default: the kubeconfig's)
  --kubeconfig path         kubeconfig with the server and credentials (default $KUBECONFIG, ~/.kube/config)
  --token string            bearer token;  --token-file path: a token file re-read as it rotates
  --ca-file, --cert-file, --key-file path
                            CA to trust and client certificate/key (PEM)
  --insecure                plain-text HTTP/2 (a --plain-http server on loopback)
  --leader-elect bool       run for leadership before acting (default true)
  --leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period duration
                            (defaults 15s, 10s, 2s)
  --leader-elect-resource-namespace, --leader-elect-resource-name string
                            the Lease (default kube-system/<component>)
  --identity string         this replica's holder identity (default hostname_uuid)`;

/** `15s`, `1m30s`, `500ms`, `2h` → milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (consumed !== text.length || text === '') throw new Error(`invalid duration ${JSON.stringify(text)}: use e.g. 15s, 500ms, 1m`);
  return total;
}

/** Parses `argv` (without node and script) for a component whose default Lease is `kube-system/<component>`. */
export function parseComponentFlags(argv: readonly string[], component: string): ComponentFlags {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) flags.set(arg.slice(2), argv[++i] as string);
    else flags.set(arg.slice(2), 'true');
  }
  const take = (name: string): string | undefined => {
    const v = flags.get(name);
    flags.delete(name);
    return v;
  };
  const file = (name: string): string | undefined => {
    const path = take(name);
    return path === undefined ? undefined : readFileSync(path, 'utf8');
  };
  const kubeconfig = take('kubeconfig');
  const connect: ConnectOptions = {
    server: take('server'),
    kubeconfig: kubeconfig ?? (process.env.KUBECONFIG ? true : undefined),
    token: take('token'),
    tokenFile: take('token-file'),
    caPem: file('ca-file'),
    certPem: file('cert-file'),
    keyPem: file('key-file'),
    insecure: take('insecure') === 'true',
    userAgent: component,
  };
  const leaderElection: LeaderElectionFlags = {
    enabled: (take('leader-elect') ?? 'true') !== 'false',
    leaseDurationMs: parseDuration(take('leader-elect-lease-duration') ?? '15s'),
    renewDeadlineMs: parseDuration(take('leader-elect-renew-deadline') ?? '10s'),
    retryPeriodMs: parseDuration(take('leader-elect-retry-period') ?? '2s'),
    namespace: take('leader-elect-resource-namespace') ?? 'kube-system',
    name: take('leader-elect-resource-name') ?? component,
    identity: take('identity') ?? `${hostname()}_${randomUUID()}`,
  };
  return { connect, leaderElection, rest: flags };
}
