/**
 * Leader election over a coordination.k8s.io/v1 Lease, with client-go's semantics: a
 * candidate takes the lease when it is absent, released (no holderIdentity), or not renewed
 * for leaseDurationSeconds as observed on the candidate's own clock; taking it from another
 * holder sets acquireTime and increments leaseTransitions; the leader renews (renewTime)
 * every retry period and steps down when it cannot renew within the renew deadline. Every
 * write is an update at the read resourceVersion, so two candidates never both win.
 */
import type { Lease } from '../../gen/k8s/io/api/coordination/v1/generated.js';
import { sleep } from './sleep.js';
import type { Clientset } from './clientset.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { toMicroTime } from './values.js';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  /** This candidate's identity, unique among candidates (upstream: hostname_uuid). */
  identity: string;
  /** How long a lease holds without renewal (default 15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before stepping down (default 10 s). */
  renewDeadlineMs?: number;
  /** How often candidates try and the leader renews (default 2 s). */
  retryPeriodMs?: number;
  /** On stop, clear the holder so a standby takes over at once (default true). */
  releaseOnCancel?: boolean;
  /** Runs while leading; `leading` aborts when leadership is lost or the election stops. */
  onStartedLeading(leading: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to this identity). */
  onNewLeader?(identity: string): void;
  onError?(err: unknown): void;
}

/** Campaigns, leads, and campaigns again after losing the lease, until `signal` aborts. */
export async function runLeaderElection(cs: Clientset, config: LeaderElectionConfig, signal: AbortSignal): Promise<void> {
  const elector = new LeaderElector(cs, config);
  while (!signal.aborted) {
    if (!(await elector.acquire(signal))) break;
    const leading = new AbortController();
    const stop = (): void => leading.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      void Promise.resolve()
        .then(() => config.onStartedLeading(leading.signal))
        .catch((err) => config.onError?.(err));
      await elector.renewWhileLeading(leading.signal);
    } finally {
      signal.removeEventListener('abort', stop);
      leading.abort();
      config.onStoppedLeading?.();
    }
  }
  if (config.releaseOnCancel ?? true) await elector.release().catch((err) => config.onError?.(err));
}

export class LeaderElector {
  private observed: { holder: string; renew: string } | undefined;
  private observedAt = 0;
  private lastKnownLeader = '';
  private leader = false;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly cs: Clientset,
    private readonly config: LeaderElectionConfig,
  ) {
    this.leaseMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryMs = config.retryPeriodMs ?? 2_000;
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** Tries every retry period (with jitter) until acquired; false when `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      await sleep(this.retryMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  /** Renews every retry period; returns when a renewal could not succeed within the renew deadline, or on abort. */
  async renewWhileLeading(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.retryMs, signal);
      if (signal.aborted) break;
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && Date.now() < deadline) {
        if (await this.tryAcquireOrRenew(signal, deadline - Date.now())) {
          renewed = true;
          break;
        }
        await sleep(Math.min(this.retryMs / 2, Math.max(0, deadline - Date.now())), signal);
      }
      if (!renewed) {
        this.leader = false;
        return;
      }
    }
  }

  /** Gives the lease up (holder cleared, duration 1 s), as client-go's release. */
  async release(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    const leases = this.cs.coordinationV1.leases;
    const lease = await leases.get(this.config.name, { namespace: this.config.namespace, timeoutMs: 5_000 });
    if (lease.spec?.holderIdentity !== this.config.identity) return;
    const now = toMicroTime();
    await leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }, { namespace: this.config.namespace, timeoutMs: 5_000 });
  }

  private async tryAcquireOrRenew(signal: AbortSignal, timeoutMs = this.renewDeadlineMs): Promise<boolean> {
    const { namespace, name, identity } = this.config;
    const leases = this.cs.coordinationV1.leases;
    const now = toMicroTime();
    const seconds = Math.max(1, Math.round(this.leaseMs / 1000));
    const opts = { namespace, signal, timeoutMs: Math.max(1, timeoutMs) };
    try {
      let lease: Lease;
      try {
        lease = await leases.get(name, opts);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await leases.create({ metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } }, opts);
        this.becameLeader(identity);
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const record = { holder, renew: `${spec.renewTime?.seconds ?? 0}.${spec.renewTime?.nanos ?? 0}` };
      if (!this.observed || this.observed.holder !== record.holder || this.observed.renew !== record.renew) {
        this.observed = record;
        this.observedAt = Date.now();
      }
      if (holder !== '' && holder !== identity) this.noteLeader(holder);
      const heldMs = (spec.leaseDurationSeconds ?? seconds) * 1000;
      if (holder !== '' && holder !== identity && this.observedAt + heldMs > Date.now()) return false;
      const taking = holder !== identity;
      await leases.update(
        {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds: seconds,
            renewTime: now,
            acquireTime: taking ? now : spec.acquireTime,
            leaseTransitions: taking ? (spec.leaseTransitions ?? 0) + 1 : (spec.leaseTransitions ?? 0),
          },
        },
        opts,
      );
      this.observed = { holder: identity, renew: `${now.seconds}.${now.nanos}` };
      this.observedAt = Date.now();
      this.becameLeader(identity);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err) && !signal.aborted) this.config.onError?.(err);
      return false;
    }
  }

  private becameLeader(identity: string): void {
    this.leader = true;
    this.noteLeader(identity);
  }

  private noteLeader(identity: string): void {
    if (identity === this.lastKnownLeader) return;
    this.lastKnownLeader = identity;
    this.config.onNewLeader?.(identity);
  }
}
