/**
 * `npm run simulated-nodes -- --server HOST:PORT [--kubeconfig F] --count 3`: simulated nodes
 * as their own process, over gRPC through the SDK only. Replicas elect a leader (Lease
 * kube-system/wheelhouse-simulated-nodes); only the leader runs the nodes, and a new leader
 * takes the nodes and their running pods over.
 */
import { COMPONENT_FLAGS_HELP, parseComponentFlags, parseDuration } from '../../client/index.js';
import { processSignal, runComponent } from '../common/run-component.js';
import { runSimulatedNodes, type SimulatedNodesOptions } from './index.js';

const COMPONENT = 'wheelhouse-simulated-nodes';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(
    `simulated nodes (wheelhouse) — kubelets without containers, as kwok's, over gRPC\n\nFlags:\n${COMPONENT_FLAGS_HELP}\n` +
      `  --count int               how many nodes (default 3)\n` +
      `  --name-prefix string      node name prefix (default node-)\n` +
      `  --heartbeat duration      Lease renew interval (default 10s)\n` +
      `  --node-status-report duration\n                            how often an unchanged Node status is posted (default 5m)\n` +
      `  --job-pod-duration duration\n                            how long Never/OnFailure pods run (default 1s)\n` +
      `  --pod-startup duration    how long a bound pod takes to start (default 0s)\n`,
  );
  process.exit(0);
}
const flags = parseComponentFlags(argv, COMPONENT);
const take = (name: string): string | undefined => {
  const v = flags.rest.get(name);
  flags.rest.delete(name);
  return v;
};
const duration = (name: string): number | undefined => {
  const v = take(name);
  return v === undefined ? undefined : parseDuration(v);
};
const count = Number(take('count') ?? '3');
const options: SimulatedNodesOptions = {
  count,
  namePrefix: take('name-prefix'),
  heartbeatMs: duration('heartbeat'),
  nodeStatusReportMs: duration('node-status-report'),
  jobPodDurationMs: duration('job-pod-duration'),
  podStartupMs: duration('pod-startup'),
  log: (m) => process.stderr.write(`${COMPONENT}: ${m}\n`),
};
if (flags.rest.size > 0) {
  process.stderr.write(`unknown flag: --${[...flags.rest.keys()][0]}\n`);
  process.exit(2);
}
if (!Number.isInteger(count) || count < 0) {
  process.stderr.write(`--count must be a non-negative integer\n`);
  process.exit(2);
}
const signal = processSignal();
await runComponent(
  {
    component: COMPONENT,
    connect: flags.connect,
    leaderElection: flags.leaderElection,
    run: async (cs, leading) => {
      const nodes = await runSimulatedNodes(cs, options, leading);
      options.log?.(`running ${nodes.names.length} nodes: ${nodes.names.join(', ')}`);
    },
  },
  signal,
);
process.exit(0);
