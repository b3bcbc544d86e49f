/**
 * The Kubernetes CEL libraries beyond CEL's standard ones that are cheap to carry here
 * (k8s.io/apiserver/pkg/cel/library): lists (`isSorted`, `sum`, `min`, `max`, `indexOf`,
 * `lastIndexOf`) and regex (`find`, `findAll`). URLs, IPs and CIDRs, quantities, semver,
 * format and the authorizer are not provided.
 */
import { celMethod, CelScalar, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';

const DYN = CelScalar.DYN;
const LIST = listType(DYN);

type Comparable = bigint | number | string | boolean;

function comparable(v: CelValue | undefined): Comparable {
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new Error(`no such overload: ${typeof v}`);
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a !== typeof b && !(typeof a === 'number' && typeof b === 'bigint') && !(typeof a === 'bigint' && typeof b === 'number')) {
    throw new Error('no such overload');
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const items = (list: CelList): CelValue[] => [...list];

function extreme(list: CelList, sign: 1 | -1, name: string): CelValue {
  const xs = items(list);
  if (xs.length === 0) throw new Error(`${name}(list) called on empty list`);
  let best = comparable(xs[0]);
  for (const x of xs.slice(1)) {
    const c = comparable(x);
    if (compare(c, best) * sign > 0) best = c;
  }
  return best as CelValue;
}

const equal = (a: CelValue | undefined, b: CelValue): boolean => (typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a) === JSON.stringify(b) : a === b);

/** The functions, registered in the policy environment. */
export const KUBERNETES_LIBRARY: CelFunc[] = [
  celMethod('isSorted', LIST, [], CelScalar.BOOL, function (this: CelList) {
    const xs = items(this).map(comparable);
    for (let i = 1; i < xs.length; i++) if (compare(xs[i - 1] as Comparable, xs[i] as Comparable) > 0) return false;
    return true;
  }),
  celMethod('sum', LIST, [], DYN, function (this: CelList) {
    const xs = items(this);
    if (xs.length === 0) return 0n;
    if (xs.every((x) => typeof x === 'bigint')) return (xs as bigint[]).reduce((a, b) => a + b, 0n);
    if (xs.every((x) => typeof x === 'number')) return (xs as number[]).reduce((a, b) => a + b, 0);
    throw new Error('no such overload: sum');
  }),
  celMethod('min', LIST, [], DYN, function (this: CelList) {
    return extreme(this, -1, 'min');
  }),
  celMethod('max', LIST, [], DYN, function (this: CelList) {
    return extreme(this, 1, 'max');
  }),
  celMethod('indexOf', LIST, [DYN], CelScalar.INT, function (this: CelList, x: CelValue) {
    return BigInt(items(this).findIndex((e) => equal(e, x)));
  }),
  celMethod('lastIndexOf', LIST, [DYN], CelScalar.INT, function (this: CelList, x: CelValue) {
    const xs = items(this);
    for (let i = xs.length - 1; i >= 0; i--) if (equal(xs[i], x)) return BigInt(i);
    return -1n;
  }),
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, pattern: string) {
    return new RegExp(pattern, 'u').exec(this)?.[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (this: string, pattern: string) {
    return [...this.matchAll(new RegExp(pattern, 'gu'))].map((m) => m[0]);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], listType(CelScalar.STRING), function (this: string, pattern: string, limit: bigint) {
    const all = [...this.matchAll(new RegExp(pattern, 'gu'))].map((m) => m[0]);
    return limit < 0n ? all : all.slice(0, Number(limit));
  }),
];
