/**
 * The object as upstream's field manager sees it. kube-apiserver computes field sets from
 * its Go structs, where a non-pointer struct field is always there (`{}` when empty, a
 * zero Time is `null`) and a slice or map without omitempty is `null` when unset; our
 * canonical JSON leaves all of those out. Adding them back before comparing makes the
 * sets — the "." members especially — the ones upstream records.
 */
import { getMessagePlan, hasMessage, type MessagePlan } from '../schema/index.js';

const NULL_WHEN_ZERO = new Set(['k8s.io.apimachinery.pkg.apis.meta.v1.Time', 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A copy of `value` (canonical JSON of message `typeName`) with Go's zero-value members filled in. */
export function goView(typeName: string, value: Obj): Obj {
  if (!hasMessage(typeName)) return value;
  return fill(getMessagePlan(typeName), value);
}

function fill(plan: MessagePlan, value: Obj): Obj {
  const out: Obj = { ...value };
  fillInto(plan, out);
  return out;
}

function fillInto(plan: MessagePlan, out: Obj): void {
  for (const f of plan.fields) {
    if (f.isMessage && f.schema.inline && !f.isMap && !f.repeated) {
      const sub = f.message();
      if (!sub.special) {
        fillInto(sub, out);
        continue;
      }
    }
    const present = Object.hasOwn(out, f.json);
    const v = out[f.json];
    if (!present) {
      if (f.isMap || f.repeated) {
        if (f.schema.emitEmpty) out[f.json] = null;
      } else if (f.isMessage && !f.schema.nullable) {
        const sub = f.message();
        if (NULL_WHEN_ZERO.has(sub.fullName)) out[f.json] = null;
        else if (!sub.special) out[f.json] = fill(sub, {});
      }
      continue;
    }
    if (!f.isMessage) continue;
    const sub = f.message();
    if (sub.special) continue;
    if (f.repeated && Array.isArray(v)) out[f.json] = v.map((item) => (isObj(item) ? fill(sub, item) : item));
    else if (f.isMap && isObj(v)) out[f.json] = Object.fromEntries(Object.entries(v).map(([k, item]) => [k, isObj(item) ? fill(sub, item) : item]));
    else if (isObj(v)) out[f.json] = fill(sub, v);
  }
}
