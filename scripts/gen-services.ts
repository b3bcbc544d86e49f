/**
 * Generates every per-kind surface from proto/wheelhouse/resources.yaml:
 *   - proto/wheelhouse/<group>/<version>/services.proto (one `<Kind>Service` per kind and version)
 *   - gen/resources.ts (the declared facts, each version with its service name and grpc-js definition)
 * Runs before `buf generate`; both outputs are committed and checked for drift.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';

interface VersionDecl {
  version: string;
  storage?: boolean;
  object: string;
  /** Absent only where the resource serves no list (a create-only resource: bindings). */
  list?: string;
  /** Off unless --runtime-config turns it on (upstream's betas introduced since 1.24). */
  offByDefault?: boolean;
}
/**
 * A create-only subresource with a kind of its own (pods/binding, pods/eviction,
 * serviceaccounts/token): its gRPC method `Create<Name>` takes `body` and answers `reply`.
 */
interface ActionDecl {
  /** Full protobuf name of the message POSTed (the typed request object). */
  body: string;
  /** Full protobuf name of what the subresource answers (a meta/v1 Status, or its own kind). */
  reply: string;
}
interface ResourceDecl {
  group: string;
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  /** Action subresources by name: each is also a subresource, with a `Create<Name>` method. */
  actions?: Record<string, ActionDecl>;
  /** What Create answers when not the object (the legacy `bindings` resource answers a Status). */
  createReply?: string;
  /** The verbs served, when not all of them (a read-only or create-only resource): its service has only their methods. */
  verbs?: string[];
  /**
   * Set on an alias: the resource whose stored objects it serves, by name in the same group,
   * or `{ group, resource }` in another (events.k8s.io/v1 Event serves core's events).
   */
  aliasOf?: string | { group: string; resource: string };
  versions: VersionDecl[];
}

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const PROTO = join(ROOT, 'proto');
const MANIFEST = 'proto/wheelhouse/resources.yaml';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const SCALE = 'k8s.io.api.autoscaling.v1.Scale';
/** status, approval and scale have gRPC methods; proxy is HTTP only. Actions are declared apart (`actions`). */
const SUBRESOURCES = new Set(['status', 'approval', 'scale', 'proxy']);
const VERBS = ['get', 'list', 'create', 'update', 'patch', 'delete', 'deletecollection', 'watch'];

function fail(message: string): never {
  throw new Error(`${MANIFEST}: ${message}`);
}

/** Every message of proto/k8s/**, by full name → the file that declares it. */
function messageFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.proto')) {
        const text = readFileSync(path, 'utf8');
        const pkg = /^package\s+([\w.]+);/m.exec(text)?.[1];
        if (!pkg) continue;
        for (const m of text.matchAll(/^message\s+(\w+)/gm)) out.set(`${pkg}.${m[1]}`, relative(PROTO, path));
      }
    }
  };
  walk(join(PROTO, 'k8s'));
  return out;
}

/** The group and resource an alias serves. */
function aliasTarget(r: ResourceDecl): { group: string; resource: string } {
  if (r.aliasOf === undefined) fail(`${r.group}/${r.resource} is not an alias`);
  return typeof r.aliasOf === 'string' ? { group: r.group, resource: r.aliasOf } : r.aliasOf;
}

function loadManifest(): ResourceDecl[] {
  const doc = parse(readFileSync(join(ROOT, MANIFEST), 'utf8')) as { resources?: ResourceDecl[] };
  const resources = doc.resources ?? fail('no resources');
  const seen = new Set<string>();
  for (const r of resources) {
    const id = `${r.group}/${r.resource}`;
    for (const key of ['resource', 'kind', 'listKind', 'singular'] as const) if (!r[key]) fail(`${id}: ${key} is required`);
    if (typeof r.namespaced !== 'boolean') fail(`${id}: namespaced must be true or false`);
    if (!r.versions?.length) fail(`${id}: at least one version is required`);
    const storage = r.versions.filter((v) => v.storage).length;
    if (r.aliasOf !== undefined) {
      const target = aliasTarget(r);
      if (!resources.some((o) => o.group === target.group && o.resource === target.resource && o.aliasOf === undefined)) fail(`${id}: aliasOf names no declared resource`);
      if (storage !== 0) fail(`${id}: an alias has no storage version of its own`);
    } else if (storage !== 1) fail(`${id}: exactly one version must be the storage version`);
    for (const s of r.subresources ?? []) if (!SUBRESOURCES.has(s)) fail(`${id}: unknown subresource ${s}`);
    for (const [name, a] of Object.entries(r.actions ?? {})) {
      if (!/^[a-z]+$/.test(name) || SUBRESOURCES.has(name)) fail(`${id}: action ${name} must be a lowercase name that is no other subresource`);
      if (!a?.body || !a.reply) fail(`${id}: action ${name} needs body and reply messages`);
    }
    if (r.createReply !== undefined && !served(r, 'create')) fail(`${id}: createReply on a resource that serves no create`);
    for (const v of r.verbs ?? []) if (!VERBS.includes(v)) fail(`${id}: unknown verb ${v}`);
    const listless = r.verbs !== undefined && !['list', 'watch', 'deletecollection'].some((v) => r.verbs?.includes(v));
    for (const v of r.versions) {
      if (!v.list && !listless) fail(`${id}: version ${v.version} needs a list message`);
      const key = `${r.group}/${v.version}/${r.kind}`;
      if (seen.has(key)) fail(`${key} is declared twice`);
      seen.add(key);
    }
  }
  return resources;
}

/** `wheelhouse.core.v1`, `wheelhouse.batch.v2alpha1`: a group's first DNS label names its package. */
function packageOf(group: string, version: string): string {
  return `wheelhouse.${group === '' ? 'core' : (group.split('.')[0] as string)}.${version}`;
}

interface ServiceEntry {
  resource: ResourceDecl;
  version: VersionDecl;
}

const served = (r: ResourceDecl, verb: string): boolean => !r.verbs || r.verbs.includes(verb);

const pascal = (name: string): string => `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;

/** A resource's actions in name order: subresource, rpc name, request message name, body and reply. */
function actionsOf(r: ResourceDecl): Array<{ name: string; rpc: string; request: string; body: string; reply: string }> {
  return Object.entries(r.actions ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, a]) => ({ name, rpc: `Create${pascal(name)}`, request: `Create${r.kind}${pascal(name)}Request`, body: a.body, reply: a.reply }));
}

/** Every subresource a resource has: the declared ones and its actions. */
const allSubresources = (r: ResourceDecl): string[] => [...(r.subresources ?? []), ...actionsOf(r).map((a) => a.name)];

/** The main resource's methods, for the verbs the resource serves. */
function rpcs(r: ResourceDecl, v: VersionDecl, K: string): string {
  const lines: Array<[string, string]> = [
    ['get', `rpc Get(wheelhouse.meta.v1.GetRequest) returns (${v.object});`],
    ['list', `rpc List(wheelhouse.meta.v1.ListRequest) returns (${v.list});`],
    ['create', `rpc Create(Create${K}Request) returns (${r.createReply ?? v.object});`],
    ['update', `rpc Update(Update${K}Request) returns (${v.object});`],
    ['patch', `rpc Patch(wheelhouse.meta.v1.PatchRequest) returns (${v.object});`],
    ['delete', `rpc Delete(wheelhouse.meta.v1.DeleteRequest) returns (${META}.Status);`],
    ['deletecollection', `// Deletes every object the list options select; returns them as a list, as upstream.
  rpc DeleteCollection(wheelhouse.meta.v1.DeleteCollectionRequest) returns (${v.list});`],
    ['watch', `rpc Watch(wheelhouse.meta.v1.ListRequest) returns (stream ${K}WatchEvent);`],
  ];
  return lines.filter(([verb]) => served(r, verb)).map(([, line]) => `\n  ${line}`).join('');
}

/** The request and event messages of a kind's methods: Create, Update and Watch only where served. */
function requestMessages(r: ResourceDecl, v: VersionDecl, K: string): string {
  const all = `
// Creates a ${K}: the typed object, or \`raw\` bytes in \`contentType\` (application/json,
// application/yaml or application/vnd.kubernetes.protobuf) decoded as an HTTP body is.
message Create${K}Request {
  optional string namespace = 1;
  optional ${v.object} object = 2;
  optional ${META}.CreateOptions options = 3;
  optional bytes raw = 4;
  optional string contentType = 5;
}

// Replaces a ${K} (or its status): the typed object, or \`raw\` bytes in \`contentType\`.
// \`name\` defaults to the typed object's metadata.name.
message Update${K}Request {
  optional string namespace = 1;
  optional ${v.object} object = 2;
  optional ${META}.UpdateOptions options = 3;
  optional bytes raw = 4;
  optional string contentType = 5;
  optional string name = 6;
}

// One change to a ${K}: type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR;
// status is set only on ERROR events.
message ${K}WatchEvent {
  optional string type = 1;
  optional ${v.object} object = 2;
  optional ${META}.Status status = 3;
}`;
  const parts = all.trim().split('\n\n// ').map((p, i) => (i === 0 ? p : `// ${p}`));
  const wanted = (p: string): boolean =>
    (p.includes(`message Create${K}Request`) && served(r, 'create')) ||
    (p.includes(`message Update${K}Request`) && (served(r, 'update') || (r.subresources ?? []).includes('status'))) ||
    (p.includes(`message ${K}WatchEvent`) && served(r, 'watch'));
  const kept = [...parts.filter(wanted), ...actionsOf(r).map((a) => actionRequest(r, a))];
  return kept.length ? `\n${kept.join('\n\n')}\n\n` : '\n';
}

/** The request of an action's method: the object POSTed to `<resource>/<name>/<action>`, typed or as `raw` bytes. */
function actionRequest(r: ResourceDecl, a: ReturnType<typeof actionsOf>[number]): string {
  return `// The ${a.body.split('.').pop() ?? ''} POSTed to ${r.resource}/NAME/${a.name}: the typed object, or \`raw\` bytes
// in \`contentType\` decoded as an HTTP body is. \`name\` defaults to the typed object's metadata.name.
message ${a.request} {
  optional string namespace = 1;
  optional ${a.body} object = 2;
  optional ${META}.CreateOptions options = 3;
  optional bytes raw = 4;
  optional string contentType = 5;
  optional string name = 6;
}`;
}

function serviceProto(pkg: string, entries: ServiceEntry[], files: Map<string, string>): string {
  const imports = new Set<string>([`k8s/io/apimachinery/pkg/apis/meta/v1/generated.proto`]);
  const fileOf = (message: string): string => files.get(message) ?? fail(`message ${message} is not declared under proto/k8s`);
  const body: string[] = [];
  for (const { resource: r, version: v } of entries) {
    imports.add(fileOf(v.object));
    if (v.list) imports.add(fileOf(v.list));
    if (r.createReply) imports.add(fileOf(r.createReply));
    for (const a of actionsOf(r)) {
      imports.add(fileOf(a.body));
      imports.add(fileOf(a.reply));
    }
    const subs = new Set(r.subresources ?? []);
    if (subs.has('scale')) imports.add(fileOf(SCALE));
    const K = r.kind;
    body.push(`// ${K} (${r.group || 'core'}/${v.version}, ${r.resource})
${requestMessages(r, v, K)}service ${K}Service {${rpcs(r, v, K)}${
    subs.has('status')
      ? `
  rpc GetStatus(wheelhouse.meta.v1.GetRequest) returns (${v.object});
  rpc UpdateStatus(Update${K}Request) returns (${v.object});
  rpc PatchStatus(wheelhouse.meta.v1.PatchRequest) returns (${v.object});`
      : ''
  }${
    subs.has('approval')
      ? `
  rpc GetApproval(wheelhouse.meta.v1.GetRequest) returns (${v.object});
  rpc UpdateApproval(Update${K}Request) returns (${v.object});
  rpc PatchApproval(wheelhouse.meta.v1.PatchRequest) returns (${v.object});`
      : ''
  }${
    subs.has('scale')
      ? `
  rpc GetScale(wheelhouse.meta.v1.GetRequest) returns (${SCALE});
  rpc UpdateScale(wheelhouse.meta.v1.UpdateScaleRequest) returns (${SCALE});
  rpc PatchScale(wheelhouse.meta.v1.PatchRequest) returns (${SCALE});`
      : ''
  }${actionsOf(r)
    .map((a) => `\n  rpc ${a.rpc}(${a.request}) returns (${a.reply});`)
    .join('')}
}
`);
  }
  // The shared request messages, for services that use any (create-only kinds use none).
  if (body.some((b) => b.includes('wheelhouse.meta.v1.'))) imports.add('wheelhouse/meta/v1/requests.proto');
  return `// Generated by scripts/gen-services.ts from ${MANIFEST}. DO NOT EDIT.
syntax = "proto3";

// gRPC services for ${pkg}: one per served kind, run by the same pipeline as HTTP.
package ${pkg};

${[...imports].sort().map((i) => `import "${i}";`).join('\n')}

${body.join('\n')}`;
}

function aliasFacts(r: ResourceDecl): string {
  const target = aliasTarget(r);
  return `\n    aliasOf: '${target.resource}',${target.group !== r.group ? `\n    aliasOfGroup: '${target.group}',` : ''}`;
}

function actionFacts(r: ResourceDecl): string {
  const actions = actionsOf(r);
  if (actions.length === 0) return '';
  const rows = actions.map((a) => `\n      { subresource: '${a.name}', method: '${a.rpc[0]?.toLowerCase() ?? ''}${a.rpc.slice(1)}', bodyType: '${a.body}', replyType: '${a.reply}' },`);
  return `\n    actions: [${rows.join('')}\n    ],`;
}

function resourcesTs(resources: ResourceDecl[]): string {
  const imports = new Map<string, Set<string>>();
  const versionFacts = (r: ResourceDecl, v: VersionDecl): string => {
    const pkg = packageOf(r.group, v.version);
    const module = `./${pkg.split('.').slice(1).join('/').replace(/^/, 'wheelhouse/')}/services.js`;
    const symbol = `${r.kind}ServiceService`;
    const alias = `${pkg.split('.').slice(1).map((p, i) => (i === 0 ? p : p[0]?.toUpperCase() + p.slice(1))).join('')}${r.kind}Service`;
    (imports.get(module) ?? imports.set(module, new Set()).get(module))?.add(`${symbol} as ${alias}`);
    const off = v.offByDefault === true ? ', offByDefault: true' : '';
    return `{ version: '${v.version}', storage: ${v.storage === true}${off}, objectType: '${v.object}', listType: '${v.list ?? ''}', service: { name: '${pkg}.${r.kind}Service', definition: ${alias} } }`;
  };
  const rows = resources.map((r) => {
    const versions = r.versions.map((v) => `      ${versionFacts(r, v)},`).join('\n');
    return `  {
    group: '${r.group}',
    resource: '${r.resource}',
    kind: '${r.kind}',
    listKind: '${r.listKind}',
    singular: '${r.singular}',
    namespaced: ${r.namespaced},
    shortNames: [${(r.shortNames ?? []).map((s) => `'${s}'`).join(', ')}],
    categories: [${(r.categories ?? []).map((s) => `'${s}'`).join(', ')}],
    subresources: [${allSubresources(r).map((s) => `'${s}'`).join(', ')}],${actionFacts(r)}${r.createReply ? `\n    createReply: '${r.createReply}',` : ''}${r.verbs ? `\n    verbs: [${r.verbs.map((s) => `'${s}'`).join(', ')}],` : ''}${r.aliasOf !== undefined ? aliasFacts(r) : ''}
    versions: [
${versions}
    ],
  },`;
  });
  const importLines = [...imports.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([module, names]) => `import { ${[...names].sort().join(', ')} } from '${module}';`);
  return `// Generated by scripts/gen-services.ts from ${MANIFEST}. DO NOT EDIT.
/* eslint-disable */
import type { ServiceDefinition } from '@grpc/grpc-js';
${importLines.join('\n')}

/** A declared subresource: status, approval and scale have gRPC methods of their own, proxy is HTTP only, and any other is an action. */
export type ResourceSubresource = 'status' | 'approval' | 'scale' | 'proxy' | (string & {});

/** An action subresource (a POST of a kind of its own) and its gRPC method. */
export interface ResourceActionFacts {
  subresource: string;
  /** The method's key in the grpc-js service definition: \`createBinding\`. */
  method: string;
  /** Full protobuf names of the typed body and of the reply. */
  bodyType: string;
  replyType: string;
}

/** One served version of a resource: its messages and its gRPC service. */
export interface ResourceVersionFacts {
  version: string;
  /** The one version objects are stored in. */
  storage: boolean;
  /** Set on a version served only when --runtime-config enables it (a beta introduced since 1.24). */
  offByDefault?: boolean;
  /** Full protobuf names of the object and list messages. */
  objectType: string;
  listType: string;
  service: { name: string; definition: ServiceDefinition };
}

/** What the declaration states about a resource. */
export interface ResourceFacts {
  group: string;
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  categories: readonly string[];
  subresources: readonly ResourceSubresource[];
  /** The action subresources (also in \`subresources\`), each with a method of its own. */
  actions?: readonly ResourceActionFacts[];
  /** What Create answers when not the object: a meta/v1 Status for the legacy \`bindings\`. */
  createReply?: string;
  /** The verbs served, when not all (a read-only resource); its service has only their methods. */
  verbs?: readonly string[];
  /** On an alias: the resource whose stored objects it serves under its own names. */
  aliasOf?: string;
  /** On an alias of another group's resource: that group (events.k8s.io Event serves core's events). */
  aliasOfGroup?: string;
  versions: readonly ResourceVersionFacts[];
}

/** Every declared resource, in declaration order. */
export const RESOURCES: readonly ResourceFacts[] = [
${rows.join('\n')}
];
`;
}

function main(): void {
  const resources = loadManifest();
  const files = messageFiles();
  const byPackage = new Map<string, ServiceEntry[]>();
  for (const resource of resources) {
    for (const version of resource.versions) {
      const pkg = packageOf(resource.group, version.version);
      (byPackage.get(pkg) ?? byPackage.set(pkg, []).get(pkg))?.push({ resource, version });
    }
  }
  // Services of packages no longer declared disappear with their directory's services.proto.
  const wheelhouse = join(PROTO, 'wheelhouse');
  for (const group of readdirSync(wheelhouse)) {
    const dir = join(wheelhouse, group);
    if (!statSync(dir).isDirectory()) continue;
    for (const version of readdirSync(dir)) {
      const file = join(dir, version, 'services.proto');
      try {
        if (readFileSync(file, 'utf8').startsWith('// Generated by scripts/gen-services.ts')) rmSync(file);
      } catch {
        // no services.proto here
      }
    }
  }
  for (const [pkg, entries] of byPackage) {
    const dir = join(PROTO, ...pkg.split('.'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'services.proto'), serviceProto(pkg, entries, files));
  }
  mkdirSync(join(ROOT, 'gen'), { recursive: true });
  writeFileSync(join(ROOT, 'gen', 'resources.ts'), resourcesTs(resources));
}

main();
