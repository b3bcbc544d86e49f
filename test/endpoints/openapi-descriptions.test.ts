/**
 * Every field of every kind has a description in the served OpenAPI v3 documents
 * (written as proto comments from scripts/descriptions, carried through gen/schema), and
 * real kubectl explain prints them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

/** The kinds whose every reachable field must be described, by document. */
const KINDS: Record<string, string[]> = {
  'api/v1': ['Pod', 'PodList', 'Service', 'ServiceList', 'ConfigMap', 'ConfigMapList', 'Secret', 'SecretList', 'Namespace', 'NamespaceList', 'Node', 'NodeList'],
  'apis/apps/v1': ['Deployment', 'DeploymentList', 'ReplicaSet', 'ReplicaSetList'],
  'apis/batch/v1': ['Job', 'JobList', 'CronJob', 'CronJobList'],
};

const PREFIX = '#/components/schemas/';

/** Walks a component and everything it references; returns the paths of undescribed fields and components. */
function undescribed(schemas: Json, root: string): string[] {
  const missing: string[] = [];
  const seen = new Set<string>();
  const refOf = (s: Json): string | undefined => {
    const ref = (s.$ref ?? s.allOf?.[0]?.$ref ?? s.items?.$ref ?? s.items?.allOf?.[0]?.$ref ??
      s.additionalProperties?.$ref ?? s.additionalProperties?.allOf?.[0]?.$ref) as string | undefined;
    return ref?.startsWith(PREFIX) ? ref.slice(PREFIX.length) : undefined;
  };
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const component = schemas[name] as Json | undefined;
    assert.ok(component, `no component ${name}`);
    if (!component.properties) return;
    if (!component.description) missing.push(name);
    for (const [prop, s] of Object.entries(component.properties as Record<string, Json>)) {
      if (typeof s.description !== 'string' || s.description.trim() === '') missing.push(`${name}.${prop}`);
      const ref = refOf(s);
      if (ref) visit(ref);
    }
  };
  visit(root);
  return missing;
}

describe('descriptions of the common kinds', () => {
  let ts: TestServer;
  const docs: Record<string, Json> = {};

  before(async () => {
    ts = await startTestServer();
    const index = await api(ts.server, 'GET', '/openapi/v3');
    assert.equal(index.status, 200);
    for (const path of Object.keys(KINDS)) {
      const url = index.body.paths[path].serverRelativeURL as string;
      const doc = await api(ts.server, 'GET', url);
      assert.equal(doc.status, 200);
      docs[path] = doc.body;
    }
  });
  after(async () => {
    await ts?.stop();
  });

  for (const [path, kinds] of Object.entries(KINDS)) {
    it(`every field reachable from ${path} ${kinds.join(', ')} is described`, () => {
      const schemas = docs[path]!.components.schemas as Json;
      const prefix = path === 'api/v1' ? 'io.k8s.api.core.v1' : `io.k8s.api.${path.split('/')[1]}.${path.split('/')[2]}`;
      const missing = new Set<string>();
      for (const kind of kinds) for (const m of undescribed(schemas, `${prefix}.${kind}`)) missing.add(m);
      assert.deepEqual([...missing].sort(), []);
    });
  }

  it('every field reachable from every kind of every document served by default is described', async () => {
    const index = await api(ts.server, 'GET', '/openapi/v3');
    const missing = new Set<string>();
    let kinds = 0;
    for (const [path, entry] of Object.entries(index.body.paths as Record<string, { serverRelativeURL: string }>)) {
      if (!path.startsWith('api/') && !path.startsWith('apis/')) continue;
      const doc = await api(ts.server, 'GET', entry.serverRelativeURL);
      assert.equal(doc.status, 200, path);
      const schemas = doc.body.components.schemas as Json;
      for (const [name, component] of Object.entries(schemas as Record<string, Json>)) {
        if (!component['x-kubernetes-group-version-kind']) continue;
        kinds++;
        for (const m of undescribed(schemas, name)) missing.add(`${path}: ${m}`);
      }
    }
    assert.ok(kinds > 100, `only ${kinds} kinds`);
    assert.deepEqual([...missing].sort(), []);
  });

  it('carries a field description and its type description, as written in the proto comments', () => {
    const schemas = docs['api/v1']!.components.schemas as Json;
    const pod = schemas['io.k8s.api.core.v1.Pod'];
    assert.equal(pod.description, 'The smallest thing Kubernetes runs: one or more containers scheduled together onto a node, sharing its network identity and volumes.');
    assert.deepEqual(pod.properties.spec, {
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }],
      description: 'What the pod should run and how: its containers, volumes, and scheduling constraints.',
    });
    assert.equal(schemas['io.k8s.api.core.v1.ConfigMap'].properties.immutable.description,
      'When true, data and binaryData can no longer change (only metadata can), which also spares the kubelet from watching it. Cannot be set back to false.');
  });

  it('kubectl 1.33 explain prints the descriptions', async () => {
    const r = await runKubectl(33, ts.server.kubeconfigPath, ['explain', 'pods.spec.restartPolicy']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'KIND:       Pod',
      'VERSION:    v1',
      '',
      'FIELD: restartPolicy <string>',
      '',
      '',
      'DESCRIPTION:',
      '    Whether containers are restarted when they exit: Always, OnFailure or Never.',
      '    Defaults to Always.',
      '    ',
      '',
      '',
    ].join('\n'));
  });

  it('kubectl 1.33 explain deployment.spec prints the field, its type and each member', async () => {
    const r = await runKubectl(33, ts.server.kubeconfigPath, ['explain', 'deployment.spec']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('  replicas\t<integer>');
    assert.ok(at > 0, r.stdout);
    assert.equal(lines[at + 1], '    How many pods should run. Defaults to 1; leave it unset when an autoscaler');
    // The field's own description, then its type's.
    assert.deepEqual(lines.slice(0, 14), [
      'GROUP:      apps',
      'KIND:       Deployment',
      'VERSION:    v1',
      '',
      'FIELD: spec <DeploymentSpec>',
      '',
      '',
      'DESCRIPTION:',
      '    The desired state: how many pods, from which template, and how to roll out',
      '    changes.',
      '    What a Deployment should run and how it replaces old pods with new ones.',
      '    ',
      'FIELDS:',
      '  minReadySeconds\t<integer>',
    ]);
  });
  it('kubectl 1.33 explain pods describes the kind and every top-level field, apiVersion and kind included', async () => {
    const r = await runKubectl(33, ts.server.kubeconfigPath, ['explain', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, 21), [
      'KIND:       Pod',
      'VERSION:    v1',
      '',
      'DESCRIPTION:',
      '    The smallest thing Kubernetes runs: one or more containers scheduled',
      '    together onto a node, sharing its network identity and volumes.',
      '    ',
      'FIELDS:',
      '  apiVersion\t<string>',
      '    The group and version of the schema this object is written in, such as',
      '    apps/v1 (just v1 for the core group). Servers convert objects to the version',
      '    a client asks for.',
      '',
      '  kind\t<string>',
      '    The type of the object in CamelCase, such as Deployment; together with',
      '    apiVersion it names the schema the rest of the object follows. Cannot be',
      '    changed on update.',
      '',
      '  metadata\t<ObjectMeta>',
      "    The object's name, namespace, labels and other standard metadata.",
      '',
    ]);
    assert.doesNotMatch(r.stdout, /<no description>/);
  });

  it('kubectl 1.33 explain deployment.spec --recursive walks nested types', async () => {
    const r = await runKubectl(33, ts.server.kubeconfigPath, ['explain', 'deployment.spec', '--recursive']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('  strategy\t<DeploymentStrategy>');
    assert.ok(at > 0, r.stdout);
    assert.deepEqual(lines.slice(at, at + 5), [
      '  strategy\t<DeploymentStrategy>',
      '    rollingUpdate\t<RollingUpdateDeployment>',
      '      maxSurge\t<IntOrString>',
      '      maxUnavailable\t<IntOrString>',
      '    type\t<string>',
    ]);
    assert.ok(lines.includes('        livenessProbe\t<Probe>'), r.stdout);
  });
});
