/**
 * The controllers' sense of time: ControllerManagerOptions.now when given (tests run it
 * ahead of the wall clock), else the wall clock. Delays handed to work queues are computed
 * on this clock and waited out in real time.
 */
import type { ControllerManagerOptions } from './context.js';

export interface Clock {
  now(): Date;
}

/** The clock the options select. */
export function controllerClock(options: ControllerManagerOptions): Clock {
  const now = options.now;
  return now ? { now: () => new Date(now()) } : { now: () => new Date() };
}
