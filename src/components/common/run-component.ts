/**
 * Runs a component as its own process or beside others in one: connects with the SDK, runs
 * for leadership of its Lease, and acts only while leading (the standby replicas wait);
 * leadership lost stops the work, and the replica campaigns again.
 */
import { setMaxListeners } from 'node:events';
import { connect, runLeaderElection, type Clientset, type ConnectOptions, type LeaderElectionFlags } from '../../client/index.js';

export interface ComponentRun {
  /** The component's name (`kube-controller-manager`, `kube-scheduler`): its log prefix. */
  component: string;
  connect: ConnectOptions | Clientset;
  leaderElection: LeaderElectionFlags;
  /** Does the work until `signal` aborts. */
  run(cs: Clientset, signal: AbortSignal): void | Promise<void>;
  log?: (message: string) => void;
}

export async function runComponent(c: ComponentRun, signal: AbortSignal): Promise<void> {
  const log = c.log ?? ((m: string) => process.stderr.write(`${c.component}: ${m}\n`));
  const owned = !('connection' in c.connect);
  const cs = 'connection' in c.connect ? c.connect : connect(c.connect);
  try {
    setMaxListeners(0, signal);
    if (!c.leaderElection.enabled) {
      await c.run(cs, signal);
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
      return;
    }
    const le = c.leaderElection;
    await runLeaderElection(
      cs,
      {
        namespace: le.namespace,
        name: le.name,
        identity: le.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        onStartedLeading: async (leading) => {
          setMaxListeners(0, leading);
          log(`${le.identity} became leader of ${le.namespace}/${le.name}`);
          await c.run(cs, leading);
        },
        onStoppedLeading: () => log(`${le.identity} stopped leading`),
        onError: (err) => log(`leader election: ${String(err)}`),
      },
      signal,
    );
  } finally {
    if (owned) cs.close();
  }
}

/** A process's stop signal: aborts on SIGTERM or SIGINT. */
export function processSignal(): AbortSignal {
  const ac = new AbortController();
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => ac.abort());
  return ac.signal;
}
