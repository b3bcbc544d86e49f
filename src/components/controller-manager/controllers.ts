/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
};
