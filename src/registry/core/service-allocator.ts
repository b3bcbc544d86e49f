/**
 * The Service allocator: cluster IPs from `--service-cluster-ip-range` and node ports from
 * `--service-node-port-range`, as upstream's ipallocator and portallocator behave (the
 * network and broadcast addresses are never handed out; dynamic picks prefer the upper part
 * of a range and leave the lower band to requested values; upstream's messages).
 *
 * Cluster IPs come from the flag's range first; the other ServiceCIDRs stored beside the
 * default `kubernetes` one extend it (upstream 1.33's MultiCIDRServiceAllocator): a requested
 * IP may lie in any of them, and dynamic picks move on to them once the flag's range is full.
 *
 * Each held value is one storage key, written create-if-absent before the Service itself:
 * an IP as an IPAddress object at `<prefix>/ipaddresses/<ip>` (upstream 1.33's record of an
 * allocated service IP, naming its Service in `spec.parentRef`; the same objects the
 * networking.k8s.io/v1 IPAddress resource serves, so an IP someone else created an
 * IPAddress for is taken too), a node port as a small
 * record at `<prefix>/wheelhouse.dev/servicenodeports/<port>`. Both carry the owning
 * Service's uid, which is what "ours" means when a value is reserved again or freed.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Service, ServiceSpec } from '../../../gen/kube/core-v1.js';
import { ApiError, internalError, invalid } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { invalidValue, toCauses } from '../../machinery/validation/field-error.js';
import { ipv4ToNumber, numberToIpv4 } from '../../machinery/validation/ip.js';
import { isStorageError } from '../../storage/errors.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { Allocator, AllocatorContext, Reservation } from '../rest/definition.js';

/** The annotation on a reservation naming the uid of the Service that holds it. */
export const OWNER_UID_ANNOTATION = 'wheelhouse.dev/service-uid';

/** An IPv4 CIDR as the allocator uses it: host addresses base+1 … base+size. */
export interface IpRange {
  cidr: string;
  /** The network address as a number. */
  network: number;
  /** How many addresses can be handed out (network and broadcast excluded). */
  size: number;
}

/** A node port range, inclusive. */
export interface PortRange {
  text: string;
  first: number;
  last: number;
}

/** Parses `--service-cluster-ip-range` (IPv4 only here); throws with the flag's name. */
export function parseIpRange(cidr: string): IpRange {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  const ip = m ? ipv4ToNumber(m[1] as string) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || ip === undefined || !(bits >= 1 && bits <= 30)) {
    throw new Error(`invalid value "${cidr}" for --service-cluster-ip-range: must be an IPv4 CIDR with a prefix length of 1 to 30`);
  }
  const block = 2 ** (32 - bits);
  const network = ip - (ip % block);
  return { cidr: `${numberToIpv4(network)}/${bits}`, network, size: block - 2 };
}

/** Parses `--service-node-port-range` (`first-last`, or a single port); throws with the flag's name. */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const first = m ? Number(m[1]) : NaN;
  const last = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || first < 1 || last > 65535 || first > last) {
    throw new Error(`invalid value "${text}" for --service-node-port-range: must be a port range such as 30000-32767`);
  }
  return { text: `${first}-${last}`, first, last };
}

/** The first address of the range: the `default/kubernetes` Service's, as upstream. */
export function firstServiceIp(range: IpRange): string {
  return numberToIpv4(range.network + 1);
}

/**
 * Upstream's split of a range into a lower band kept for requested values and an upper band
 * dynamic allocation prefers (KEP-3070 for IPs: 16..256 by a sixteenth; KEP-3668 for node
 * ports: 16..128 by a thirty-second).
 */
function bandOffset(size: number, step: number, max: number): number {
  return Math.min(Math.max(16, Math.floor(size / step)), max, size);
}

const KEYS_PER_SWEEP = 64;

/** One kind of reserved value over one kind of storage key. */
interface Pool {
  /** The storage key of a value. */
  key(value: string): string;
  /** The reservation record for `value` held by `svc`. */
  record(value: string, svc: Service): KubeObject;
  /** All values of the range, in index order. */
  size: number;
  valueAt(index: number): string;
  offset: number;
  /** The key prefix of every reservation. */
  prefix: string;
}

/** The label upstream's allocator marks its IPAddresses with, and its value. */
export const IP_MANAGED_BY = ['ipaddress.kubernetes.io/managed-by', 'ipallocator.k8s.io'] as const;

/** The IPAddress recording that `svc` holds `ip`, as upstream's allocator writes it (plus the owner's uid). */
export function serviceIpRecord(ip: string, svc: Service): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: {
      name: ip,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      labels: { 'ipaddress.kubernetes.io/ip-family': 'IPv4', [IP_MANAGED_BY[0]]: IP_MANAGED_BY[1] },
      annotations: { [OWNER_UID_ANNOTATION]: svc.metadata?.uid ?? '' },
    },
    spec: { parentRef: { group: '', resource: 'services', namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '' } },
  };
}

function ipPool(prefix: string, range: IpRange): Pool {
  return {
    prefix: `${prefix}/ipaddresses/`,
    key: (ip) => `${prefix}/ipaddresses/${ip}`,
    record: serviceIpRecord,
    size: range.size,
    valueAt: (i) => numberToIpv4(range.network + 1 + i),
    offset: bandOffset(range.size, 16, 256),
  };
}

function portPool(prefix: string, range: PortRange): Pool {
  const size = range.last - range.first + 1;
  return {
    prefix: `${prefix}/wheelhouse.dev/servicenodeports/`,
    key: (port) => `${prefix}/wheelhouse.dev/servicenodeports/${port}`,
    record: (port, svc) => ({
      apiVersion: 'wheelhouse.dev/v1',
      kind: 'ServiceNodePort',
      metadata: { name: port, annotations: { [OWNER_UID_ANNOTATION]: svc.metadata?.uid ?? '' } },
      spec: { parentRef: { group: '', resource: 'services', namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '' } },
    }),
    size,
    valueAt: (i) => String(range.first + i),
    offset: bandOffset(size, 32, 128),
  };
}

const ownerOf = (rec: KubeObject): string => rec.metadata?.annotations?.[OWNER_UID_ANNOTATION] ?? '';

/** Reserving, checking and freeing single values of one pool. */
class Reserver {
  constructor(
    private readonly store: ObjectStore,
    private readonly pool: Pool,
  ) {}

  /** Takes `value` for `svc`: 'fresh' when newly taken, 'held' when `svc` had it, 'taken' when another has it. */
  async take(value: string, svc: Service, dryRun: boolean): Promise<'fresh' | 'held' | 'taken'> {
    const uid = svc.metadata?.uid ?? '';
    const key = this.pool.key(value);
    if (dryRun) {
      try {
        const rec = await this.store.get(key);
        return ownerOf(rec) === uid ? 'held' : 'taken';
      } catch (err) {
        if (isStorageError(err, 'KeyNotFound')) return 'fresh';
        throw err;
      }
    }
    for (;;) {
      try {
        await this.store.create(key, this.pool.record(value, svc));
        return 'fresh';
      } catch (err) {
        if (!isStorageError(err, 'KeyExists')) throw err;
      }
      try {
        return ownerOf(await this.store.get(key)) === uid ? 'held' : 'taken';
      } catch (err) {
        // Freed between the two calls: try again.
        if (!isStorageError(err, 'KeyNotFound')) throw err;
      }
    }
  }

  /** Frees `value` if `uid` holds it. */
  async free(value: string, uid: string): Promise<void> {
    try {
      await this.store.delete(this.pool.key(value), {
        validate: (cur) => {
          if (ownerOf(cur) !== uid) throw new NotOurs();
        },
      });
    } catch (err) {
      if (err instanceof NotOurs || isStorageError(err, 'KeyNotFound')) return;
      throw err;
    }
  }

  /**
   * A free value for `svc`, taken (unless a dry run): random picks in the upper band, then
   * the lower, then a sweep of what storage holds; undefined when the range is full.
   */
  async takeAny(svc: Service, dryRun: boolean, avoid: Set<string>): Promise<string | undefined> {
    const { size, offset } = this.pool;
    const bands: [number, number][] = offset < size ? [[offset, size], [0, offset]] : [[0, size]];
    for (const [lo, hi] of bands) {
      if (hi <= lo) continue;
      for (let i = 0; i < KEYS_PER_SWEEP; i++) {
        const value = this.pool.valueAt(randomInt(lo, hi));
        if (avoid.has(value)) continue;
        if ((await this.take(value, svc, dryRun)) === 'fresh') return value;
      }
    }
    // Crowded: look at what is held and try every free value in random order.
    const held = new Set((await this.store.list(this.pool.prefix, {})).items.map((r) => r.metadata?.name ?? ''));
    const free: string[] = [];
    for (let i = 0; i < size; i++) {
      const v = this.pool.valueAt(i);
      if (!held.has(v) && !avoid.has(v)) free.push(v);
    }
    while (free.length) {
      const [value] = free.splice(randomInt(0, free.length), 1) as [string];
      if ((await this.take(value, svc, dryRun)) === 'fresh') return value;
    }
    return undefined;
  }

  async records(): Promise<KubeObject[]> {
    return (await this.store.list(this.pool.prefix, {})).items;
  }
}

class NotOurs extends Error {}

const needsClusterIp = (s: ServiceSpec): boolean => s.type !== 'ExternalName';
const usesNodePorts = (s: ServiceSpec): boolean => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);

/** The cluster IPs a Service holds. */
export function ipsOf(svc: Service): string[] {
  const s = svc.spec ?? {};
  if (!needsClusterIp(s)) return [];
  const ips = (Array.isArray(s.clusterIPs) && s.clusterIPs.length ? s.clusterIPs : [s.clusterIP]).filter((ip): ip is string => typeof ip === 'string');
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

/** The node ports a Service holds (a port number shared by two protocols counts once). */
function portsOf(svc: Service): string[] {
  const ports = (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n !== 0);
  const hc = svc.spec?.healthCheckNodePort;
  if (typeof hc === 'number' && hc !== 0) ports.push(hc);
  return [...new Set(ports.map(String))];
}

/** The Service allocator over one store and the configured ranges. */
export function serviceAllocator(ctx: AllocatorContext): Allocator {
  const ipRange = parseIpRange(ctx.ranges.serviceClusterIpRange);
  const portRange = parsePortRange(ctx.ranges.serviceNodePortRange);
  const ips = new Reserver(ctx.store, ipPool(ctx.prefix, ipRange));
  const ports = new Reserver(ctx.store, portPool(ctx.prefix, portRange));
  const within = (range: IpRange, ip: string): boolean => {
    const n = ipv4ToNumber(ip);
    return n !== undefined && n > range.network && n <= range.network + range.size;
  };
  const inIpRange = (ip: string): boolean => within(ipRange, ip);

  /**
   * The IPv4 ranges of the other ServiceCIDRs Services may draw from, as upstream's
   * multi-CIDR allocator: not being deleted, and Ready unless a Ready condition says
   * otherwise (no condition counts as Ready, as upstream assumes when no controller runs).
   * The flag's range comes first and is not repeated here.
   */
  async function extraRanges(): Promise<IpRange[]> {
    const found: IpRange[] = [];
    for (const cidr of (await ctx.store.list(`${ctx.prefix}/servicecidrs/`, {})).items) {
      if (cidr.metadata?.deletionTimestamp) continue;
      const ready = ((cidr.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
      if (ready && ready.status !== 'True') continue;
      for (const text of (cidr.spec as { cidrs?: string[] } | undefined)?.cidrs ?? []) {
        let range: IpRange;
        try {
          range = parseIpRange(text);
        } catch {
          continue; // IPv6, or too small to hand out addresses from
        }
        if (range.cidr !== ipRange.cidr && !found.some((r) => r.cidr === range.cidr)) found.push(range);
      }
    }
    return found.sort((a, b) => a.network - b.network || a.size - b.size);
  }
  const refuse = (svc: Service, field: string, value: unknown, message: string): ApiError =>
    invalid('Service', '', svc.metadata?.name ?? '', toCauses([invalidValue(field, value, message)]));

  /**
   * Fills in and takes what `svc` needs, given what `old` held (nothing on create). Every
   * value newly taken is recorded in `fresh` as soon as it is, so a refusal later in the
   * same call can give them back.
   */
  async function reserve(svc: Service, old: Service | undefined, dryRun: boolean, fresh: { ips: string[]; ports: string[] }): Promise<void> {
    const s = (svc.spec ??= {});
    const heldIps = new Set(old ? ipsOf(old) : []);
    const heldPorts = new Set(old ? portsOf(old) : []);
    if (needsClusterIp(s)) {
      if (!s.clusterIP) {
        let ip = await ips.takeAny(svc, dryRun, new Set());
        // The flag's range is full: the other ServiceCIDRs extend it.
        for (const range of ip === undefined ? await extraRanges() : []) {
          ip = await new Reserver(ctx.store, ipPool(ctx.prefix, range)).takeAny(svc, dryRun, new Set());
          if (ip !== undefined) break;
        }
        if (ip === undefined) throw internalError(new Error('failed to allocate a serviceIP: range is full'));
        if (!dryRun) fresh.ips.push(ip);
        s.clusterIP = ip;
        s.clusterIPs = [ip];
      } else if (s.clusterIP !== 'None' && !heldIps.has(s.clusterIP)) {
        const ip = s.clusterIP;
        const shown = Array.isArray(s.clusterIPs) && s.clusterIPs.length ? s.clusterIPs : [ip];
        if (!inIpRange(ip) && !(await extraRanges()).some((r) => within(r, ip))) {
          throw refuse(svc, 'spec.clusterIPs', shown, `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ipRange.cidr}`);
        }
        const got = await ips.take(ip, svc, dryRun);
        if (got === 'taken') throw refuse(svc, 'spec.clusterIPs', shown, `failed to allocate IP ${ip}: provided IP is already allocated`);
        if (got === 'fresh' && !dryRun) fresh.ips.push(ip);
      }
    }
    if (!usesNodePorts(s)) return;
    const list = s.ports ?? [];
    // Requested node ports first (a port number may appear twice, for two protocols).
    for (const [i, p] of list.entries()) {
      const n = p.nodePort;
      if (typeof n !== 'number' || n === 0 || heldPorts.has(String(n)) || fresh.ports.includes(String(n))) continue;
      if (n < portRange.first || n > portRange.last) {
        throw refuse(svc, `spec.ports[${i}].nodePort`, n, `provided port is not in the valid range. The range of valid ports is ${portRange.text}`);
      }
      const got = await ports.take(String(n), svc, dryRun);
      if (got === 'taken') throw refuse(svc, `spec.ports[${i}].nodePort`, n, 'provided port is already allocated');
      if (got === 'fresh' && !dryRun) fresh.ports.push(String(n));
    }
    const mine = new Set(list.map((p) => p.nodePort).filter((n) => typeof n === 'number' && n !== 0).map(String));
    for (const p of list) {
      if (typeof p.nodePort === 'number' && p.nodePort !== 0) continue;
      // The same service port under another protocol shares its node port, as upstream.
      const twin = list.find((q) => q !== p && q.port === p.port && typeof q.nodePort === 'number' && q.nodePort !== 0);
      if (twin) {
        p.nodePort = twin.nodePort as number;
        continue;
      }
      const port = await ports.takeAny(svc, dryRun, mine);
      if (port === undefined) throw internalError(new Error('failed to allocate a nodePort: range is full'));
      if (!dryRun) fresh.ports.push(port);
      mine.add(port);
      p.nodePort = Number(port);
    }
  }

  async function freeAll(uid: string, values: { ips: Iterable<string>; ports: Iterable<string> }): Promise<void> {
    for (const ip of values.ips) await ips.free(ip, uid);
    for (const port of values.ports) await ports.free(port, uid);
  }

  async function reservation(svc: Service, old: Service | undefined, dryRun: boolean): Promise<Reservation> {
    const uid = svc.metadata?.uid ?? '';
    const fresh = { ips: [] as string[], ports: [] as string[] };
    try {
      await reserve(svc, old, dryRun, fresh);
    } catch (err) {
      await freeAll(uid, fresh);
      throw err;
    }
    return {
      async commit() {
        if (!old || dryRun) return;
        const nowIps = new Set(ipsOf(svc));
        const nowPorts = new Set(portsOf(svc));
        await freeAll(uid, { ips: ipsOf(old).filter((ip) => !nowIps.has(ip)), ports: portsOf(old).filter((p) => !nowPorts.has(p)) });
      },
      rollback: () => freeAll(uid, fresh),
    };
  }

  return {
    reserveForCreate: (obj, dryRun) => reservation(obj as Service, undefined, dryRun),
    reserveForUpdate: (obj, old, dryRun) => reservation(obj as Service, old as Service, dryRun),
    release: (obj) => freeAll(obj.metadata?.uid ?? '', { ips: ipsOf(obj as Service), ports: portsOf(obj as Service) }),
    async repair(objects) {
      const extra = await extraRanges();
      const holders = new Map<string, Set<string>>();
      const note = (kind: string, value: string, uid: string): void => {
        const k = `${kind}/${value}`;
        let set = holders.get(k);
        if (!set) holders.set(k, (set = new Set()));
        set.add(uid);
      };
      for (const obj of objects) {
        const svc = obj as Service;
        const uid = svc.metadata?.uid ?? '';
        for (const ip of ipsOf(svc)) {
          note('ip', ip, uid);
          if (inIpRange(ip) || extra.some((r) => within(r, ip))) await ips.take(ip, svc, false);
        }
        for (const port of portsOf(svc)) {
          note('port', port, uid);
          const n = Number(port);
          if (n >= portRange.first && n <= portRange.last) await ports.take(port, svc, false);
        }
      }
      // Reservations no stored Service holds any more (a write that never happened, a removal whose release was cut short).
      for (const [kind, reserver] of [['ip', ips], ['port', ports]] as const) {
        for (const rec of await reserver.records()) {
          const parent = (rec.spec as { parentRef?: { resource?: string } } | undefined)?.parentRef;
          if (parent?.resource !== 'services') continue;
          const value = rec.metadata?.name ?? '';
          const uid = ownerOf(rec);
          if (!holders.get(`${kind}/${value}`)?.has(uid)) await reserver.free(value, uid);
        }
      }
    },
  };
}
