/**
 * `npm run scheduler -- --server HOST:PORT [--kubeconfig F] [--scheduler-name N]`: the
 * scheduler as its own process, over gRPC through the SDK only.
 */
import { componentMain } from '../common/main-helpers.js';
import { DEFAULT_SCHEDULER_NAME, runScheduler } from './index.js';

await componentMain({
  component: 'kube-scheduler',
  summary: 'binds unscheduled pods to nodes over gRPC',
  flagsHelp: `  --scheduler-name string   the spec.schedulerName served (default ${DEFAULT_SCHEDULER_NAME})\n`,
  run(flags) {
    const schedulerName = flags.get('scheduler-name') ?? DEFAULT_SCHEDULER_NAME;
    flags.delete('scheduler-name');
    return (cs, leading) => runScheduler(cs, { schedulerName, log: (m) => process.stderr.write(`kube-scheduler: ${m}\n`) }, leading);
  },
});
