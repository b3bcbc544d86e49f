/**
 * The components `npm start` runs beside the API server: the controller manager, the
 * scheduler and (with --simulated-nodes) simulated nodes, each as two replicas with leader
 * election, in this process over a loopback gRPC connection — the same boundary as their own
 * processes (`npm run controller-manager`), since they reach the server only through the SDK.
 * Each authenticates with a client certificate the data directory's CA issues it.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect, type Clientset } from '../client/index.js';
import { runComponent } from '../components/common/run-component.js';
import { runControllerManager } from '../components/controller-manager/index.js';
import { runScheduler } from '../components/scheduler/index.js';
import { runSimulatedNodes } from '../components/simulated-nodes/index.js';
import { issueCertificate } from '../server/pki/certificates.js';

export interface ComponentsOptions {
  dataDir: string;
  grpcAddress: string;
  /** The CA clients trust the server with (PEM). */
  caPem: string;
  /** Plain-text gRPC (a --plain-http server), authenticating with the admin token. */
  plainToken?: string;
  /** Controller names (`*`, `-name`), or empty for none (`--controllers=none`). */
  controllers: readonly string[];
  scheduler: boolean;
  simulatedNodes: number;
  /** The name the serving certificate is checked against (default: the address's host). */
  tlsServerName?: string;
  /** Replicas of each component (default 2). */
  replicas?: number;
  log(message: string): void;
}

/** A component's identity: upstream's user name, in system:masters (its bootstrap roles are not created yet). */
async function clientFor(o: ComponentsOptions, user: string): Promise<Clientset> {
  if (o.plainToken !== undefined) return connect({ server: o.grpcAddress, insecure: true, token: o.plainToken, userAgent: user });
  const pki = join(o.dataDir, 'pki');
  const ca = { certPem: await readFile(join(pki, 'ca.crt'), 'utf8'), keyPem: await readFile(join(pki, 'ca.key'), 'utf8') };
  const cert = await issueCertificate(ca, { commonName: user, organizations: ['system:masters'], usage: 'clientAuth', validDays: 365 });
  return connect({ server: o.grpcAddress, caPem: o.caPem, certPem: cert.certPem, keyPem: cert.keyPem, userAgent: user, tlsServerName: o.tlsServerName });
}

/** Starts the components; they stop when `signal` aborts. */
export async function startComponents(o: ComponentsOptions, signal: AbortSignal): Promise<Promise<void>[]> {
  const replicas = o.replicas ?? 2;
  const runs: Promise<void>[] = [];
  const leaderElection = (name: string) => ({
    enabled: true,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    namespace: 'kube-system',
    name,
    identity: `${hostname()}_${randomUUID()}`,
  });
  const start = async (component: string, user: string, run: (cs: Clientset, leading: AbortSignal) => void | Promise<void>): Promise<void> => {
    for (let i = 0; i < replicas; i++) {
      const cs = await clientFor(o, user);
      signal.addEventListener('abort', () => setTimeout(() => cs.close(), 1_000), { once: true });
      runs.push(runComponent({ component, connect: cs, leaderElection: leaderElection(component), run, log: (m) => o.log(`${component}: ${m}`) }, signal).catch((err) => o.log(`${component}: ${String(err)}`)));
    }
  };
  if (o.controllers.length > 0) {
    await start('kube-controller-manager', 'system:kube-controller-manager', (cs, leading) =>
      runControllerManager(cs, { controllers: o.controllers, log: (m) => o.log(`kube-controller-manager: ${m}`) }, leading),
    );
  }
  if (o.scheduler) {
    await start('kube-scheduler', 'system:kube-scheduler', (cs, leading) => runScheduler(cs, { log: (m) => o.log(`kube-scheduler: ${m}`) }, leading));
  }
  if (o.simulatedNodes > 0) {
    // The nodes' agent is one component with a standby: the leader runs every node.
    await start('wheelhouse-simulated-nodes', 'system:wheelhouse:simulated-nodes', async (cs, leading) => {
      await runSimulatedNodes(cs, { count: o.simulatedNodes, log: (m) => o.log(`simulated-nodes: ${m}`) }, leading);
      await new Promise<void>((r) => (leading.aborted ? r() : leading.addEventListener('abort', () => r(), { once: true })));
    });
  }
  return runs;
}
