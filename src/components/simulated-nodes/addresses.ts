/**
 * The fake address plan of simulated nodes. Node `i` (1-based) gets the InternalIP
 * `172.18.<i/256>.<i%256>` and the pod range `10.<128 + i/256>.<i%256>.0/24`; its pods get
 * `.2` to `.254` of that range (`.1` stands for the node's bridge), lowest free first, and
 * give their address back when they finish or go away. Nothing is routed: the addresses
 * only have to be unique and look like a cluster's.
 */

/** The most nodes the address plan has room for. */
export const MAX_SIMULATED_NODES = 32767;

/** The node's InternalIP. */
export function nodeInternalIP(index: number): string {
  checkIndex(index);
  return `172.18.${index >> 8}.${index & 255}`;
}

/** The node's pod CIDR (a /24). */
export function nodePodCIDR(index: number): string {
  checkIndex(index);
  return `10.${128 + (index >> 8)}.${index & 255}.0/24`;
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 1 || index > MAX_SIMULATED_NODES) {
    throw new RangeError(`simulated node index must be an integer from 1 to ${MAX_SIMULATED_NODES}, not ${index}`);
  }
}

/** Hands out the pod IPs of one node's /24, each to one pod (by uid) at a time. */
export class PodIPPool {
  private readonly prefix: string;
  private readonly byOwner = new Map<string, string>();
  private readonly inUse = new Set<number>();

  constructor(podCIDR: string) {
    const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(podCIDR);
    if (!m) throw new Error(`pod CIDR must be an a.b.c.0/24 range, not ${JSON.stringify(podCIDR)}`);
    this.prefix = m[1] as string;
  }

  /** The owner's address: the one it holds, else the lowest free one; undefined when the range is full. */
  allocate(owner: string): string | undefined {
    const held = this.byOwner.get(owner);
    if (held) return held;
    for (let host = 2; host <= 254; host++) {
      if (this.inUse.has(host)) continue;
      return this.assign(owner, host);
    }
    return undefined;
  }

  /**
   * Records that `owner` already holds `ip` (a pod found running after a restart of the
   * simulation); false when the address is outside the range or held by another owner.
   */
  claim(owner: string, ip: string): boolean {
    const held = this.byOwner.get(owner);
    if (held) return held === ip;
    if (!ip.startsWith(`${this.prefix}.`)) return false;
    const host = Number(ip.slice(this.prefix.length + 1));
    if (!Number.isInteger(host) || host < 2 || host > 254 || this.inUse.has(host)) return false;
    this.assign(owner, host);
    return true;
  }

  /** Gives the owner's address back (nothing when it holds none). */
  release(owner: string): void {
    const ip = this.byOwner.get(owner);
    if (!ip) return;
    this.byOwner.delete(owner);
    this.inUse.delete(Number(ip.slice(this.prefix.length + 1)));
  }

  /** How many addresses are held. */
  get size(): number {
    return this.inUse.size;
  }

  private assign(owner: string, host: number): string {
    const ip = `${this.prefix}.${host}`;
    this.inUse.add(host);
    this.byOwner.set(owner, ip);
    return ip;
  }
}
