/** Every oracle suite: sequences over real kinds (and one custom resource), merged with each kind's own TypeNode. */
import { configMapSuite } from './configmap.js';
import { customResourceSuite } from './custom-resource.js';
import { deploymentSuite } from './deployment.js';
import { podSuite } from './pod.js';
import { serviceSuite } from './service.js';
import type { OracleSuite } from './steps.js';

export type { OracleSuite } from './steps.js';

export const ORACLE_SUITES: readonly OracleSuite[] = [configMapSuite, deploymentSuite, serviceSuite, podSuite, customResourceSuite];
