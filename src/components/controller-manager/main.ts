/**
 * `npm run controller-manager -- --server HOST:PORT [--kubeconfig F] [--controllers=*]`: the
 * controller manager as its own process, over gRPC through the SDK only.
 */
import { COMPONENT_FLAGS_HELP, parseComponentFlags } from '../../client/index.js';
import { processSignal, runComponent } from '../common/run-component.js';
import { runControllerManager } from './index.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`kube-controller-manager (wheelhouse) — runs the controllers over gRPC\n\nFlags:\n${COMPONENT_FLAGS_HELP}\n  --controllers strings     controllers to run: * for all, -name to leave one out (default *)\n`);
  process.exit(0);
}
const flags = parseComponentFlags(argv, 'kube-controller-manager');
const controllers = (flags.rest.get('controllers') ?? '*').split(',').filter((c) => c !== '');
flags.rest.delete('controllers');
if (flags.rest.size > 0) {
  process.stderr.write(`unknown flag: --${[...flags.rest.keys()][0]}\n`);
  process.exit(2);
}
const signal = processSignal();
await runComponent(
  {
    component: 'kube-controller-manager',
    connect: flags.connect,
    leaderElection: flags.leaderElection,
    run: (cs, leading) => runControllerManager(cs, { controllers, log: (m) => process.stderr.write(`kube-controller-manager: ${m}\n`) }, leading),
  },
  signal,
);
process.exit(0);
