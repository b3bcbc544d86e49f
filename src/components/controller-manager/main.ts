/**
 * `npm run controller-manager -- --server HOST:PORT [--kubeconfig F] [--controllers=*]`: the
 * controller manager as its own process, over gRPC through the SDK only.
 */
import { componentMain } from '../common/main-helpers.js';
import { runControllerManager, selectControllers } from './index.js';

await componentMain({
  component: 'kube-controller-manager',
  summary: 'runs the controllers over gRPC',
  flagsHelp: '  --controllers strings     controllers to run: * for all, -name to leave one out (default *)\n',
  run(flags) {
    const controllers = (flags.get('controllers') ?? '*').split(',').filter((c) => c !== '');
    flags.delete('controllers');
    selectControllers(controllers);
    return (cs, leading) => runControllerManager(cs, { controllers, log: (m) => process.stderr.write(`kube-controller-manager: ${m}\n`) }, leading);
  },
});
