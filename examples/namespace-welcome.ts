// A controller on wheelhouse/client: every namespace keeps a `welcome` ConfigMap (put back
// if deleted). Run it with: npx tsx examples/namespace-welcome.ts --kubeconfig .wheelhouse/kubeconfig
import {
  EventRecorder, isAlreadyExists, objectReference, parseComponentFlags, RateLimitingQueue,
  runLeaderElection, runWorkers, SharedInformerFactory, connect,
} from 'wheelhouse/client';

const flags = parseComponentFlags(process.argv.slice(2), 'namespace-welcome');
const cs = connect(flags.connect);
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());

async function run(signal: AbortSignal): Promise<void> {
  const factory = new SharedInformerFactory(cs);
  const namespaces = factory.informerFor(cs.coreV1.namespaces);
  const configMaps = factory.informerFor(cs.coreV1.configMaps, { fieldSelector: 'metadata.name=welcome' });
  const recorder = new EventRecorder(cs, { component: 'namespace-welcome' });
  const queue = new RateLimitingQueue<string>();
  // Work items are namespace names: a namespace appearing, or its ConfigMap going away.
  namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata?.name ?? '') });
  configMaps.addEventHandler({ onDelete: (cm) => queue.add(cm.metadata?.namespace ?? '') });
  factory.start(signal);
  await factory.waitForCacheSync(signal);

  await runWorkers(queue, 2, async (name) => {
    const ns = namespaces.lister().get('', name);
    if (!ns || ns.status?.phase === 'Terminating') return;
    if (configMaps.lister().get(name, 'welcome')) return;
    try {
      await cs.coreV1.configMaps.create({ metadata: { name: 'welcome', namespace: name }, data: { greeting: `Welcome to ${name}!` } });
      await recorder.event(objectReference(cs.coreV1.namespaces, ns), 'Normal', 'WelcomeCreated', `created ConfigMap ${name}/welcome`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err; // thrown: retried with backoff
    }
  }, signal);
}

// Run as two replicas (or more): only the holder of the Lease acts.
await runLeaderElection(cs, {
  namespace: 'kube-system', name: 'namespace-welcome', identity: flags.leaderElection.identity,
  onStartedLeading: run,
}, stop.signal);
cs.close();
