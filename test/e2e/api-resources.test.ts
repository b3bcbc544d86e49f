/**
 * kubectl 1.33 over the whole catalogue: `kubectl api-resources -o wide` shows every served
 * resource exactly as kube-apiserver 1.33 does (NAME, SHORTNAMES, APIVERSION, NAMESPACED,
 * KIND, VERBS, CATEGORIES: upstream's table below, from each resource's storage — its
 * ShortNames(), Categories() and the REST verbs it implements — as a 1.33 cluster prints
 * them); `kubectl get all` finds one object of each kind in upstream's `all` category and
 * nothing else; `kubectl get <category>` works for any category; `kubectl apply --prune -l`
 * prunes with kubectl's default prune list (no `--prune-allowlist`), which needs every kind
 * on that list to resolve.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '../../src/machinery/schema/json.js';
import { openApiKindSchema } from '../../src/machinery/runtime/kind-schema.js';
import { isDns1123Subdomain } from '../../src/machinery/validation/names.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MINOR = 33;
const CRUD = 'create,delete,deletecollection,get,list,patch,update,watch';

/** NAME APIVERSION → SHORTNAMES NAMESPACED KIND VERBS CATEGORIES, as kube-apiserver 1.33 serves them by default. */
const UPSTREAM: readonly (readonly [string, string, string, boolean, string, string, string])[] = [
  ['bindings', '', 'v1', true, 'Binding', 'create', ''],
  ['componentstatuses', 'cs', 'v1', false, 'ComponentStatus', 'get,list', ''],
  ['configmaps', 'cm', 'v1', true, 'ConfigMap', CRUD, ''],
  ['endpoints', 'ep', 'v1', true, 'Endpoints', CRUD, ''],
  ['events', 'ev', 'v1', true, 'Event', CRUD, ''],
  ['limitranges', 'limits', 'v1', true, 'LimitRange', CRUD, ''],
  ['namespaces', 'ns', 'v1', false, 'Namespace', 'create,delete,get,list,patch,update,watch', ''],
  ['nodes', 'no', 'v1', false, 'Node', CRUD, ''],
  ['persistentvolumeclaims', 'pvc', 'v1', true, 'PersistentVolumeClaim', CRUD, ''],
  ['persistentvolumes', 'pv', 'v1', false, 'PersistentVolume', CRUD, ''],
  ['pods', 'po', 'v1', true, 'Pod', CRUD, 'all'],
  ['podtemplates', '', 'v1', true, 'PodTemplate', CRUD, ''],
  ['replicationcontrollers', 'rc', 'v1', true, 'ReplicationController', CRUD, 'all'],
  ['resourcequotas', 'quota', 'v1', true, 'ResourceQuota', CRUD, ''],
  ['secrets', '', 'v1', true, 'Secret', CRUD, ''],
  ['serviceaccounts', 'sa', 'v1', true, 'ServiceAccount', CRUD, ''],
  ['services', 'svc', 'v1', true, 'Service', CRUD, 'all'],
  ['mutatingwebhookconfigurations', '', 'admissionregistration.k8s.io/v1', false, 'MutatingWebhookConfiguration', CRUD, 'api-extensions'],
  ['validatingadmissionpolicies', '', 'admissionregistration.k8s.io/v1', false, 'ValidatingAdmissionPolicy', CRUD, 'api-extensions'],
  ['validatingadmissionpolicybindings', '', 'admissionregistration.k8s.io/v1', false, 'ValidatingAdmissionPolicyBinding', CRUD, 'api-extensions'],
  ['validatingwebhookconfigurations', '', 'admissionregistration.k8s.io/v1', false, 'ValidatingWebhookConfiguration', CRUD, 'api-extensions'],
  ['customresourcedefinitions', 'crd,crds', 'apiextensions.k8s.io/v1', false, 'CustomResourceDefinition', CRUD, 'api-extensions'],
  ['apiservices', '', 'apiregistration.k8s.io/v1', false, 'APIService', CRUD, 'api-extensions'],
  ['controllerrevisions', '', 'apps/v1', true, 'ControllerRevision', CRUD, ''],
  ['daemonsets', 'ds', 'apps/v1', true, 'DaemonSet', CRUD, 'all'],
  ['deployments', 'deploy', 'apps/v1', true, 'Deployment', CRUD, 'all'],
  ['replicasets', 'rs', 'apps/v1', true, 'ReplicaSet', CRUD, 'all'],
  ['statefulsets', 'sts', 'apps/v1', true, 'StatefulSet', CRUD, 'all'],
  ['selfsubjectreviews', '', 'authentication.k8s.io/v1', false, 'SelfSubjectReview', 'create', ''],
  ['tokenreviews', '', 'authentication.k8s.io/v1', false, 'TokenReview', 'create', ''],
  ['localsubjectaccessreviews', '', 'authorization.k8s.io/v1', true, 'LocalSubjectAccessReview', 'create', ''],
  ['selfsubjectaccessreviews', '', 'authorization.k8s.io/v1', false, 'SelfSubjectAccessReview', 'create', ''],
  ['selfsubjectrulesreviews', '', 'authorization.k8s.io/v1', false, 'SelfSubjectRulesReview', 'create', ''],
  ['subjectaccessreviews', '', 'authorization.k8s.io/v1', false, 'SubjectAccessReview', 'create', ''],
  ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', true, 'HorizontalPodAutoscaler', CRUD, 'all'],
  ['cronjobs', 'cj', 'batch/v1', true, 'CronJob', CRUD, 'all'],
  ['jobs', '', 'batch/v1', true, 'Job', CRUD, 'all'],
  ['certificatesigningrequests', 'csr', 'certificates.k8s.io/v1', false, 'CertificateSigningRequest', CRUD, ''],
  ['leases', '', 'coordination.k8s.io/v1', true, 'Lease', CRUD, ''],
  ['endpointslices', '', 'discovery.k8s.io/v1', true, 'EndpointSlice', CRUD, ''],
  ['events', 'ev', 'events.k8s.io/v1', true, 'Event', CRUD, ''],
  ['flowschemas', '', 'flowcontrol.apiserver.k8s.io/v1', false, 'FlowSchema', CRUD, ''],
  ['prioritylevelconfigurations', '', 'flowcontrol.apiserver.k8s.io/v1', false, 'PriorityLevelConfiguration', CRUD, ''],
  ['ingressclasses', '', 'networking.k8s.io/v1', false, 'IngressClass', CRUD, ''],
  ['ingresses', 'ing', 'networking.k8s.io/v1', true, 'Ingress', CRUD, ''],
  ['ipaddresses', 'ip', 'networking.k8s.io/v1', false, 'IPAddress', CRUD, ''],
  ['networkpolicies', 'netpol', 'networking.k8s.io/v1', true, 'NetworkPolicy', CRUD, ''],
  ['servicecidrs', '', 'networking.k8s.io/v1', false, 'ServiceCIDR', CRUD, ''],
  ['runtimeclasses', '', 'node.k8s.io/v1', false, 'RuntimeClass', CRUD, ''],
  ['poddisruptionbudgets', 'pdb', 'policy/v1', true, 'PodDisruptionBudget', CRUD, ''],
  ['clusterrolebindings', '', 'rbac.authorization.k8s.io/v1', false, 'ClusterRoleBinding', CRUD, ''],
  ['clusterroles', '', 'rbac.authorization.k8s.io/v1', false, 'ClusterRole', CRUD, ''],
  ['rolebindings', '', 'rbac.authorization.k8s.io/v1', true, 'RoleBinding', CRUD, ''],
  ['roles', '', 'rbac.authorization.k8s.io/v1', true, 'Role', CRUD, ''],
  ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', false, 'PriorityClass', CRUD, ''],
  ['csidrivers', '', 'storage.k8s.io/v1', false, 'CSIDriver', CRUD, ''],
  ['csinodes', '', 'storage.k8s.io/v1', false, 'CSINode', CRUD, ''],
  ['csistoragecapacities', '', 'storage.k8s.io/v1', true, 'CSIStorageCapacity', CRUD, ''],
  ['storageclasses', 'sc', 'storage.k8s.io/v1', false, 'StorageClass', CRUD, ''],
  ['volumeattachments', '', 'storage.k8s.io/v1', false, 'VolumeAttachment', CRUD, ''],
];

/**
 * Upstream rows this server does not serve yet: kinds that land with other work (CRDs and
 * APIServices). Every other upstream row must be printed.
 */
const NOT_SERVED_YET = new Set([
  'customresourcedefinitions apiextensions.k8s.io/v1',
  'apiservices apiregistration.k8s.io/v1',
]);

const HEADERS = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', 'VERBS', 'CATEGORIES'];

/** Splits kubectl's aligned table into cells by the header's column starts. */
function parseTable(out: string): string[][] {
  const [header = '', ...lines] = out.split('\n').filter((l) => l.trim() !== '');
  const starts = HEADERS.map((h) => {
    const at = header.search(new RegExp(`(^|\\s)${h}(\\s|$)`));
    assert.ok(at >= 0, `column ${h} in ${header}`);
    return at === 0 ? 0 : at + 1;
  });
  return lines.map((line) => starts.map((s, i) => line.slice(s, starts[i + 1] ?? line.length).trim()));
}

describe('kubectl 1.33 api-resources, get all, get by category, apply --prune', () => {
  let ts: TestServer;
  const k = (args: string[], stdin?: string) => runKubectl(MINOR, ts.server.kubeconfigPath, args, stdin);
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('api-resources -o wide prints every served resource as upstream does', async (t) => {
    const rows = parseTable(await ok(['api-resources', '-o', 'wide']));
    const upstream = new Map(UPSTREAM.map((r) => [`${r[0]} ${r[2]}`, [r[0], r[1], r[2], String(r[3]), r[4], r[5], r[6]]]));
    const wrong: string[] = [];
    for (const row of rows) {
      const expected = upstream.get(`${row[0]} ${row[2]}`);
      if (!expected) wrong.push(`not served by upstream 1.33 by default: ${row.join(' | ')}`);
      else if (row.join(' | ') !== expected.join(' | ')) wrong.push(`got      ${row.join(' | ')}\nupstream ${expected.join(' | ')}`);
    }
    const printed = new Set(rows.map((r) => `${r[0]} ${r[2]}`));
    const missing = [...upstream.keys()].filter((key) => !printed.has(key) && !NOT_SERVED_YET.has(key));
    assert.deepEqual({ wrong, missing }, { wrong: [], missing: [] });
    const absent = [...upstream.keys()].filter((key) => !printed.has(key));
    t.diagnostic(`api-resources: ${rows.length} of upstream's ${upstream.size} rows; not served yet: ${absent.join(', ') || 'none'}`);
  });

  it("kubectl get all lists one object of each kind in upstream's all category and nothing else", async () => {
    const ns = 'get-all';
    await ok(['create', 'namespace', ns]);
    const pod = '{"containers":[{"name":"c","image":"nginx:1.27"}]}';
    const template = `{"metadata":{"labels":{"app":"a"}},"spec":${pod}}`;
    const selector = '{"matchLabels":{"app":"a"}}';
    const objects = [
      `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":${pod}}`,
      `{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"a"},"spec":{"selector":{"app":"a"},"template":${template}}}`,
      '{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}}',
      `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"a"},"spec":{"selector":${selector},"template":${template}}}`,
      `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"selector":${selector},"template":${template}}}`,
      `{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"a"},"spec":{"selector":${selector},"template":${template}}}`,
      `{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"a"},"spec":{"serviceName":"a","selector":${selector},"template":${template}}}`,
      '{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"a"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"a"},"maxReplicas":3}}',
      `{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"a"},"spec":{"schedule":"0 3 * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}}`,
      '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"a"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}',
      // not in the category
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}',
      '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"}}',
      '{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"a"},"spec":{"defaultBackend":{"service":{"name":"a","port":{"number":80}}}}}',
    ];
    await ok(['create', '-n', ns, '-f', '-'], `{"apiVersion":"v1","kind":"List","items":[${objects.join(',')}]}`);
    const names = (await ok(['get', 'all', '-n', ns, '-o', 'name'])).trim().split('\n');
    // The category's kinds in discovery order (core, then groups by priority), as upstream lists them.
    assert.deepEqual(names, [
      'pod/a',
      'replicationcontroller/a',
      'service/a',
      'daemonset.apps/a',
      'deployment.apps/a',
      'replicaset.apps/a',
      'statefulset.apps/a',
      'horizontalpodautoscaler.autoscaling/a',
      'cronjob.batch/a',
      'job.batch/a',
    ]);
    // The human-readable form groups the kinds under their own headers.
    const table = await ok(['get', 'all', '-n', ns]);
    for (const header of ['NAME', 'pod/a', 'service/a', 'deployment.apps/a', 'cronjob.batch/a', 'job.batch/a']) assert.ok(table.includes(header), `${header} in\n${table}`);
    // A category is also a name kubectl can mix with resource types.
    const mixed = (await ok(['get', 'all,configmaps', '-n', ns, '-o', 'name'])).trim().split('\n');
    assert.ok(mixed.includes('configmap/a') && mixed.includes('job.batch/a'), mixed.join());
    await ok(['delete', 'namespace', ns, '--wait=false']);
  });

  it('kubectl get <category> for every category a served resource names', async () => {
    const r = await ok(['get', '--raw', '/api/v1']);
    const categories = new Map<string, string[]>();
    const collect = (doc: any, gv: string) => {
      for (const res of doc.resources ?? []) for (const c of res.categories ?? []) categories.set(c, [...(categories.get(c) ?? []), `${res.name} ${gv}`]);
    };
    collect(JSON.parse(r), 'v1');
    const groups = JSON.parse(await ok(['get', '--raw', '/apis']));
    for (const g of groups.groups) collect(JSON.parse(await ok(['get', '--raw', `/apis/${g.preferredVersion.groupVersion}`])), g.preferredVersion.groupVersion);
    // Every category named is one of upstream's two for built-in kinds.
    assert.deepEqual([...categories.keys()].filter((c) => c !== 'all' && c !== 'api-extensions'), []);
    for (const [category, members] of categories) {
      const got = await k(['get', category, '-A', '-o', 'name']);
      assert.equal(got.code, 0, `${category} (${members.join(', ')}): ${got.stderr}`);
    }
    assert.ok(categories.has('all'));
  });

  it('kubectl get <category> finds the kinds of a category a kind registered at run time names', async () => {
    const schema = openApiKindSchema(
      { group: 'example.com', version: 'v1', kind: 'Gadget' },
      { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', properties: { size: { type: 'integer' } } } } },
    );
    const gadgets: ResourceDefinition = {
      group: 'example.com',
      versions: [{ version: 'v1', typeName: 'example.com.v1.Gadget', listTypeName: 'example.com.v1.GadgetList', schema }],
      storageVersion: 'v1',
      resource: 'gadgets',
      kind: 'Gadget',
      listKind: 'GadgetList',
      singular: 'gadget',
      namespaced: true,
      shortNames: ['gd'],
      categories: ['toys', 'all'],
      nameValidator: isDns1123Subdomain,
      strategy: { validate: (obj) => schema.validate(obj as JsonObject), validateUpdate: (obj) => schema.validate(obj as JsonObject) },
    };
    const uninstall = ts.server.installResource(gadgets);
    try {
      await ok(['create', 'namespace', 'toys']);
      await ok(['create', '-n', 'toys', '-f', '-'], '{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g1"},"spec":{"size":2}}');
      await ok(['create', '-n', 'toys', 'configmap', 'c1']);
      assert.deepEqual((await ok(['get', 'toys', '-n', 'toys', '-o', 'name'])).trim().split('\n'), ['gadget.example.com/g1']);
      // A custom kind in `all` comes after the built-in ones (its group's priority is lower).
      const all = (await ok(['get', 'all', '-n', 'toys', '-o', 'name'])).trim().split('\n');
      assert.equal(all.at(-1), 'gadget.example.com/g1', all.join());
      const row = parseTable(await ok(['api-resources', '-o', 'wide'])).find((r) => r[0] === 'gadgets');
      assert.deepEqual(row, ['gadgets', 'gd', 'example.com/v1', 'true', 'Gadget', CRUD, 'toys,all']);
    } finally {
      uninstall();
    }
  });

  it('apply --prune -l prunes a removed object with kubectl\'s default prune list', async () => {
    const ns = 'prune';
    await ok(['create', 'namespace', ns]);
    const dir = mkdtempSync(join(tmpdir(), 'prune-'));
    try {
      const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}, labels: {app: x}}\ndata: {k: v}\n`;
      const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ${ns}, labels: {app: x}}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: c, image: nginx:1.27}]}\n`;
      writeFileSync(join(dir, 'a.yaml'), cm('keep'));
      writeFileSync(join(dir, 'b.yaml'), cm('gone'));
      writeFileSync(join(dir, 'c.yaml'), deploy);
      // Labelled alike but never applied (no last-applied annotation): kubectl leaves it.
      await ok(['create', '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: {name: created, namespace: ${ns}, labels: {app: x}}\n`);
      const first = await ok(['apply', '--prune', '-l', 'app=x', '-f', dir]);
      assert.match(first, /configmap\/keep created/);
      assert.match(first, /deployment.apps\/web created/);
      rmSync(join(dir, 'b.yaml'));
      const second = await k(['apply', '--prune', '-l', 'app=x', '-f', dir]);
      assert.equal(second.code, 0, second.stderr);
      assert.doesNotMatch(second.stderr, /no matches for kind|error/, second.stderr);
      const lines = second.stdout.trim().split('\n').sort();
      assert.deepEqual(lines, ['configmap/gone pruned', 'configmap/keep unchanged', 'deployment.apps/web unchanged']);
      const left = (await ok(['get', 'configmaps,secrets,deployments', '-n', ns, '-l', 'app=x', '-o', 'name'])).trim().split('\n').sort();
      assert.deepEqual(left, ['configmap/keep', 'deployment.apps/web', 'secret/created']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
