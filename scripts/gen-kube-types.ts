/**
 * Kubernetes JSON types generator: reads the schema tables (gen/schema/schema.ts, written
 * by scripts/gen-schema.ts) and writes gen/kube/<package>.ts, one file per Kubernetes proto
 * package (`core-v1.ts`, `apps-v1.ts`, `meta-v1.ts`, `intstr.ts`, …), with one interface
 * per message in its Kubernetes JSON shape:
 *
 *   - named as upstream's Go type, properties named as the JSON keys, every property optional;
 *   - inline (embedded) members flattened as the JSON has them (`interface Probe extends ProbeHandler`);
 *   - maps as `Record<string, T>`, repeated fields as `T[]`, every integer as `number`,
 *     bytes as a base64 `string`;
 *   - messages whose JSON is not an object of their fields (src/machinery/schema/special-types.ts)
 *     as type aliases of their JSON form (`type Time = string`, `type IntOrString = number | string`);
 *   - top-level kinds (and lists) with `apiVersion?` and `kind?`.
 *
 * Doc comments come from the proto comments (a `buf build` with source info). Output depends
 * only on proto/, so reruns are byte-identical. Run after gen-schema.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { messageSchemas } from "../gen/schema/schema.js";
import type { FieldSchema, MessageSchema } from "../gen/schema/types.js";

const K8S_PREFIX = "k8s.io.";
const META = "k8s.io.apimachinery.pkg.apis.meta.v1";

/** Messages with a special JSON form: their TypeScript type (must match special-types.ts). */
const SPECIAL_TYPES: Readonly<Record<string, { type: string; doc: string }>> = {
  [`${META}.Time`]: { type: "string", doc: "RFC 3339 time with seconds precision, e.g. `2006-01-02T15:04:05Z`." },
  [`${META}.MicroTime`]: { type: "string", doc: "RFC 3339 time with microseconds, e.g. `2006-01-02T15:04:05.000000Z`." },
  [`${META}.Duration`]: { type: "string", doc: "A Go duration string, e.g. `1h2m3s`." },
  [`${META}.FieldsV1`]: { type: "unknown", doc: "Managed-fields set: embedded JSON." },
  [`${META}.Verbs`]: { type: "string[]", doc: "A list of verbs." },
  "k8s.io.api.certificates.v1.ExtraValue": { type: "string[]", doc: "A list of strings: one attribute of a user." },
  "k8s.io.api.authentication.v1.ExtraValue": { type: "string[]", doc: "A list of strings: one attribute of a user." },
  "k8s.io.api.authorization.v1.ExtraValue": { type: "string[]", doc: "A list of strings: one attribute of a user." },
  "k8s.io.apimachinery.pkg.runtime.RawExtension": { type: "unknown", doc: "An embedded object: any JSON value." },
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": { type: "number | string", doc: "An int32 or a string (e.g. a port number or name, `25%`)." },
  "k8s.io.apimachinery.pkg.api.resource.Quantity": { type: "string", doc: "A quantity in canonical form, e.g. `100m`, `1Gi`." },
};

/** Messages without a list that still carry TypeMeta (apiVersion/kind) in their JSON. */
const TYPE_META_WITHOUT_LIST = new Set([
  "k8s.io.api.autoscaling.v1.Scale",
  ...[
    "APIGroup", "APIGroupList", "APIResourceList", "List", "APIVersions", "ApplyOptions", "CreateOptions", "DeleteOptions",
    "GetOptions", "ListOptions", "PatchOptions", "Status", "Table", "TableOptions", "UpdateOptions",
  ].map((n) => `${META}.${n}`),
]);

/** `k8s.io.api.core.v1` → `core-v1`, `k8s.io.apimachinery.pkg.apis.meta.v1` → `meta-v1`, `…util.intstr` → `intstr`. */
function fileStem(pkg: string): string {
  const parts = pkg.split(".");
  const last = parts[parts.length - 1] ?? pkg;
  if (/^v\d/.test(last) && parts.length >= 2) return `${parts[parts.length - 2]}-${last}`;
  return last;
}

/** The Go-style import alias of a package: `corev1`, `metav1`, `intstr`. */
function importAlias(pkg: string): string {
  return fileStem(pkg).replace("-", "");
}

function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf(".") + 1);
}

function packageOf(fullName: string): string {
  return fullName.slice(0, fullName.lastIndexOf("."));
}

/** Proto comments keyed by message full name and by `message.field`. */
type Comments = Map<string, string>;

interface SourceLocation {
  path?: number[];
  leadingComments?: string;
}
interface DescriptorJson {
  name: string;
  field?: Array<{ name: string }>;
  nestedType?: DescriptorJson[];
}
interface FileJson {
  package?: string;
  messageType?: DescriptorJson[];
  sourceCodeInfo?: { location?: SourceLocation[] };
}

/** Reads leading comments of messages and fields from `buf build` with source info. */
function readComments(root: string): Comments {
  const buf = join(root, "node_modules", ".bin", "buf");
  const result = spawnSync(buf, ["build", "-o", "-#format=json"], { cwd: root, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) {
    process.stderr.write(result.stderr ?? "");
    throw new Error(`buf build failed with status ${String(result.status)}`);
  }
  const set = JSON.parse(result.stdout) as { file: FileJson[] };
  const comments: Comments = new Map();
  for (const file of set.file) {
    if (!file.package?.startsWith(K8S_PREFIX)) continue;
    for (const loc of file.sourceCodeInfo?.location ?? []) {
      const path = loc.path ?? [];
      const text = loc.leadingComments?.trim();
      if (!text || path[0] !== 4 || path.length < 2) continue;
      // Walk message (4 / 3) then optionally field (2) indices.
      let scope = file.package;
      let messages = file.messageType ?? [];
      let msg: DescriptorJson | undefined;
      let i = 0;
      let ok = true;
      while (i < path.length) {
        const tag = path[i];
        const index = path[i + 1] ?? -1;
        if ((i === 0 && tag === 4) || (i > 0 && tag === 3 && msg)) {
          msg = messages[index];
          if (!msg) { ok = false; break; }
          scope = `${scope}.${msg.name}`;
          messages = msg.nestedType ?? [];
          i += 2;
          continue;
        }
        if (tag === 2 && msg && i + 2 === path.length) {
          const field = msg.field?.[index];
          if (field) comments.set(`${scope}#${field.name}`, text);
          ok = false;
        } else ok = false;
        break;
      }
      if (ok && msg) comments.set(scope, text);
    }
  }
  return comments;
}

/** A doc comment block; Go marker lines (`+optional`, `+listType=…`) are dropped. */
function docBlock(text: string | undefined, indent: string): string[] {
  if (!text) return [];
  const lines = text
    .split("\n")
    .map((l) => l.replace(/^ /, "").trimEnd())
    .filter((l) => !l.startsWith("+"))
    .map((l) => l.replace(/\*\//g, "*\\/"));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/**
 * Whether the JSON carries TypeMeta (`apiVersion`, `kind`): a kind (its `<Name>List` holds
 * `items` of it), a list of a kind, or one of {@link TYPE_META_WITHOUT_LIST}.
 */
function hasTypeMeta(m: MessageSchema, byName: ReadonlyMap<string, MessageSchema>): boolean {
  if (TYPE_META_WITHOUT_LIST.has(m.fullName)) return true;
  const itemsOf = (list: MessageSchema | undefined): string | undefined => list?.fields.find((f) => f.json === "items" && f.repeated)?.type;
  if (itemsOf(byName.get(`${m.fullName}List`)) === m.fullName) return true;
  const item = itemsOf(m);
  return item !== undefined && `${item}List` === m.fullName;
}

function scalarType(type: string): string {
  if (type === "string" || type === "bytes") return "string";
  if (type === "bool") return "boolean";
  return "number";
}

/** Renders every Kubernetes package into its file text. */
function render(messages: readonly MessageSchema[], comments: Comments): Map<string, string> {
  const byPackage = new Map<string, MessageSchema[]>();
  for (const m of messages) {
    if (!m.package.startsWith(K8S_PREFIX)) continue;
    const list = byPackage.get(m.package) ?? [];
    list.push(m);
    byPackage.set(m.package, list);
  }
  const byName = new Map(messages.map((m) => [m.fullName, m]));
  const stems = new Map<string, string>();
  for (const pkg of byPackage.keys()) {
    const stem = fileStem(pkg);
    const clash = [...stems].find(([, s]) => s === stem);
    if (clash) throw new Error(`packages ${clash[0]} and ${pkg} would both be written to gen/kube/${stem}.ts`);
    stems.set(pkg, stem);
  }

  const out = new Map<string, string>();
  for (const [pkg, list] of [...byPackage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const imports = new Set<string>();
    const ref = (fullName: string): string => {
      const target = packageOf(fullName);
      if (target === pkg) return shortName(fullName);
      if (!target.startsWith(K8S_PREFIX)) throw new Error(`${pkg} refers to non-Kubernetes type ${fullName}`);
      imports.add(target);
      return `${importAlias(target)}.${shortName(fullName)}`;
    };
    const fieldType = (f: FieldSchema): string => {
      if (f.kind === "enum") throw new Error(`enum field ${f.name} of type ${f.type}: Kubernetes types use strings`);
      const base = f.kind === "scalar" ? scalarType(f.type) : ref(f.type);
      if (f.mapKey !== undefined) return `Record<string, ${base}>`;
      if (f.repeated) return /[ |]/.test(base) ? `Array<${base}>` : `${base}[]`;
      return base;
    };

    const body: string[] = [];
    for (const m of list) {
      const name = shortName(m.fullName);
      body.push("");
      const special = SPECIAL_TYPES[m.fullName];
      if (special) {
        body.push(...docBlock(special.doc, ""));
        body.push(`export type ${name} = ${special.type};`);
        continue;
      }
      const inline = m.fields.filter((f) => f.inline);
      for (const f of inline) {
        if (f.kind !== "message" || f.repeated || f.mapKey !== undefined || SPECIAL_TYPES[f.type]) {
          throw new Error(`inline field ${m.fullName}.${f.name} is not a plain message`);
        }
      }
      const typeMeta = hasTypeMeta(m, byName) && !m.fields.some((f) => f.json === "apiVersion" || f.json === "kind");
      const heritage = inline.length ? ` extends ${inline.map((f) => ref(f.type)).join(", ")}` : "";
      body.push(...docBlock(comments.get(m.fullName), ""));
      const members: string[] = [];
      if (typeMeta) {
        members.push("  /** The versioned schema of this representation, e.g. `v1`, `apps/v1`. */", "  apiVersion?: string;");
        members.push("  /** The kind this object represents, e.g. `Pod`. */", "  kind?: string;");
      }
      for (const f of m.fields) {
        if (f.inline) continue;
        members.push(...docBlock(comments.get(`${m.fullName}#${f.name}`), "  "));
        const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(f.json) ? f.json : JSON.stringify(f.json);
        members.push(`  ${key}?: ${fieldType(f)};`);
      }
      if (members.length === 0) body.push(`export interface ${name}${heritage} {}`);
      else body.push(`export interface ${name}${heritage} {`, ...members, "}");
    }

    const head = [
      "// Code generated by scripts/gen-kube-types.ts. DO NOT EDIT.",
      `/** Kubernetes JSON shapes of ${pkg}: every property optional, as clients may omit it. */`,
    ];
    for (const target of [...imports].sort()) {
      head.push(`import type * as ${importAlias(target)} from "./${stems.get(target) ?? fileStem(target)}.js";`);
    }
    out.set(`${stems.get(pkg)}.ts`, [...head, ...body, ""].join("\n"));
  }
  return out;
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const outDir = join(root, "gen", "kube");
  const messages = Object.values(messageSchemas).sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  const files = render(messages, readComments(root));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(outDir, file), text);
  process.stdout.write(`gen/kube: ${files.size} packages\n`);
}

main();
