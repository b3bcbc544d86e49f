/**
 * The controller manager: the named controllers on one shared informer factory, until the
 * signal aborts. Leader election and the command line wrap it (see main.ts).
 */
import { EventRecorder, SharedInformerFactory, type Clientset } from '../../client/index.js';
import type { ControllerContext, ControllerManagerOptions } from './context.js';
import { CONTROLLERS } from './controllers.js';

export interface RunControllerManagerOptions extends ControllerManagerOptions {
  /** Controller names; `*` (default) for every one. */
  controllers?: readonly string[];
  log?: (message: string) => void;
}

/** The controllers `names` selects (`*` is all; `-name` removes one, as upstream's --controllers). */
export function selectControllers(names: readonly string[] = ['*']): string[] {
  const all = Object.keys(CONTROLLERS);
  const chosen = new Set<string>();
  for (const n of names) {
    if (n === '*') all.forEach((c) => chosen.add(c));
    else if (n.startsWith('-')) chosen.delete(n.slice(1));
    else if (CONTROLLERS[n]) chosen.add(n);
    else throw new Error(`"${n}" is not in the list of known controllers (${all.join(', ')})`);
  }
  return [...chosen];
}

export async function runControllerManager(cs: Clientset, options: RunControllerManagerOptions, signal: AbortSignal): Promise<void> {
  const log = options.log ?? (() => undefined);
  const informers = new SharedInformerFactory(cs, { onError: (err) => log(`informer: ${String(err)}`) });
  const ctx: ControllerContext = {
    cs,
    informers,
    recorder: (component) => new EventRecorder(cs, { component, onError: (err) => log(`event (${component}): ${String(err)}`) }),
    signal,
    log,
    options,
  };
  for (const name of selectControllers(options.controllers)) {
    await (CONTROLLERS[name] as (c: ControllerContext) => void | Promise<void>)(ctx);
  }
  informers.start(signal);
}
