/**
 * The clientset: a typed client per served group/version/kind, all over one channel.
 * `connect({ kubeconfig: true })`, then `cs.appsV1.deployments.in('default').list()`.
 */
import { Connection, type ConnectOptions } from './connection.js';
import { buildGroups, type Groups } from './generated/clientset.js';

export type Clientset = Groups & {
  readonly connection: Connection;
  /** Closes the channel; calls in flight fail with CANCELLED/UNAVAILABLE. */
  close(): void;
};

export function connect(options: ConnectOptions = {}): Clientset {
  const connection = new Connection(options);
  return Object.assign(buildGroups(connection), { connection, close: () => connection.close() });
}
