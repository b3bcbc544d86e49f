/** The shared shape of a component's own-process entry point: help, flags, run, exit. */
import { COMPONENT_FLAGS_HELP, parseComponentFlags, type Clientset } from '../../client/index.js';
import { processSignal, runComponent } from './run-component.js';

export interface ComponentMain {
  component: string;
  summary: string;
  /** Help lines for the component's own flags. */
  flagsHelp?: string;
  /** Reads (and removes) the component's own flags; throws on bad values. */
  run(flags: Map<string, string>): (cs: Clientset, leading: AbortSignal) => void | Promise<void>;
}

export async function componentMain(m: ComponentMain): Promise<never> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${m.component} (wheelhouse) — ${m.summary}\n\nFlags:\n${COMPONENT_FLAGS_HELP}\n${m.flagsHelp ?? ''}`);
    process.exit(0);
  }
  let run: (cs: Clientset, leading: AbortSignal) => void | Promise<void>;
  let flags: ReturnType<typeof parseComponentFlags>;
  try {
    flags = parseComponentFlags(argv, m.component);
    run = m.run(flags.rest);
    if (flags.rest.size > 0) throw new Error(`unknown flag: --${[...flags.rest.keys()][0]}`);
  } catch (err) {
    process.stderr.write(`${m.component}: ${(err as Error).message}\n`);
    process.exit(2);
  }
  await runComponent({ component: m.component, connect: flags.connect, leaderElection: flags.leaderElection, run }, processSignal());
  process.exit(0);
}
