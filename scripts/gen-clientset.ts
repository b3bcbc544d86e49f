/**
 * Writes src/client/generated/clientset.ts from gen/resources.ts: one typed client per served
 * group/version/kind (`coreV1.pods`, `appsV1.deployments`, …) over its generated gRPC service,
 * with a typed method per action subresource (`pods.createBinding`). Run by `npm run generate`
 * after buf, since it names the generated message types.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES, type ResourceFacts } from '../gen/resources.js';

const ROOT = new URL('../', import.meta.url).pathname;
const OUT = join(ROOT, 'src', 'client', 'generated', 'clientset.ts');

/** The generated file of each message, by directory: ts-proto splits a package by source file. */
const messageFiles = new Map<string, Map<string, string>>();
function fileOf(dir: string, symbol: string): string {
  let files = messageFiles.get(dir);
  if (!files) {
    files = new Map();
    for (const f of readdirSync(join(ROOT, 'gen', dir)).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(join(ROOT, 'gen', dir, f), 'utf8').matchAll(/^export interface (\w+) \{/gm)) files.set(m[1] as string, f.replace(/\.ts$/, ''));
    }
    messageFiles.set(dir, files);
  }
  const file = files.get(symbol);
  if (!file) throw new Error(`gen-clientset: no generated message ${symbol} in gen/${dir}`);
  return file;
}

/** `k8s.io.api.core.v1.Pod` → its module alias and symbol. */
function typeRef(full: string, imports: Map<string, string>): string {
  const parts = full.split('.');
  const symbol = parts.pop() as string;
  const dir = parts.join('/');
  const file = fileOf(dir, symbol);
  const alias = `${parts.join('_')}_${file.replace(/\W/g, '_')}`;
  imports.set(alias, `../../../gen/${dir}/${file}.js`);
  return `${alias}.${symbol}`;
}

/** `wheelhouse.core.v1.PodService` → the services module alias. */
function serviceModule(serviceName: string, imports: Map<string, string>): string {
  const parts = serviceName.split('.').slice(0, -1);
  const alias = parts.join('_');
  imports.set(alias, `../../../gen/${parts.join('/')}/services.js`);
  return alias;
}

/** The group's key: its first DNS label (core for ""), then the version capitalised. */
function groupKey(group: string, version: string): string {
  const first = group === '' ? 'core' : (group.split('.')[0] as string);
  return `${first}${version[0]?.toUpperCase()}${version.slice(1)}`;
}

/** `ReplicationController`/`replicationcontrollers` → `replicationControllers`; leading acronyms lowered (`ipAddresses`). */
export function clientName(kind: string, resource: string): string {
  let out = '';
  let i = 0;
  for (; i < kind.length && i < resource.length; i++) {
    const k = kind[i] as string;
    if (k.toLowerCase() !== resource[i]) break;
    out += k;
  }
  out += resource.slice(i);
  const run = /^[A-Z]+/.exec(out)?.[0] ?? '';
  // A run of capitals before a lowercase letter ends with the next word's first letter.
  const head = run.length > 1 && run.length < out.length ? run.slice(0, -1) : run;
  return head.toLowerCase() + out.slice(head.length);
}

function main(): void {
  const imports = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES as readonly ResourceFacts[]) {
    for (const v of r.versions) {
      const svc = serviceModule(v.service.name, imports);
      const T = typeRef(v.objectType, imports);
      const L = v.listType ? typeRef(v.listType, imports) : `NoList<${T}>`;
      const facts = `{ group: '${r.group}', version: '${v.version}', resource: '${r.resource}', kind: '${r.kind}', namespaced: ${r.namespaced}, subresources: [${r.subresources.map((s) => `'${s}'`).join(', ')}] }`;
      const verbs = r.verbs ?? [];
      const hasUpdate = verbs.length === 0 || verbs.includes('update');
      const hasCreate = verbs.length === 0 || verbs.includes('create');
      const parts = `{ conn, facts: ${facts}, service: ${svc}.${r.kind}ServiceService, createRequest: ${hasCreate ? `${svc}.Create${r.kind}Request` : 'NO_REQUEST'}${hasUpdate ? `, updateRequest: ${svc}.Update${r.kind}Request` : ''} }`;
      const actions = (r.actions ?? []).map((a) => {
        const action = a.subresource[0]?.toUpperCase() + a.subresource.slice(1);
        return `${a.method}: actionMethod<${typeRef(a.bodyType, imports)}, ${typeRef(a.replyType, imports)}>(p, '${a.method}', ${svc}.Create${r.kind}${action}Request)`;
      });
      const client = actions.length === 0
        ? `resourceClient<${T}, ${L}>(${parts})`
        : `((p: ResourceClientParts) => Object.assign(resourceClient<${T}, ${L}>(p), { ${actions.join(', ')} }))(${parts})`;
      const key = groupKey(r.group, v.version);
      (groups.get(key) ?? groups.set(key, []).get(key))?.push(`    /** ${r.group || 'core'}/${v.version} ${r.kind} (${r.resource}). */\n    ${clientName(r.kind, r.resource)}: ${client},`);
    }
  }
  const importLines = [...imports.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([alias, path]) => `import ${alias.startsWith('wheelhouse_') ? '' : 'type '}* as ${alias} from '${path}';`);
  const body = [...groups.entries()].map(([key, rows]) => `  ${key}: {\n${rows.join('\n')}\n  },`).join('\n');
  const text = `// Generated by scripts/gen-clientset.ts from gen/resources.ts. DO NOT EDIT.
/* eslint-disable */
${importLines.join('\n')}
import type { Connection } from '../connection.js';
import { actionMethod, resourceClient, type RequestFns, type ResourceClientParts } from '../resource-client.js';

/** The list type of a resource served without list (create-only kinds). */
export interface NoList<T> {
  items: T[];
}

const NO_REQUEST: RequestFns<unknown> = { fromPartial: (v: object) => v };

/** Every served group/version: \`coreV1\`, \`appsV1\`, … (a group's first DNS label, then its version). */
export function buildGroups(conn: Connection) {
  return {
${body}
  };
}

export type Groups = ReturnType<typeof buildGroups>;
`;
  mkdirSync(join(ROOT, 'src', 'client', 'generated'), { recursive: true });
  writeFileSync(OUT, text);
}

main();
