/**
 * Validation of the options every mutating call carries (`dryRun`, `fieldValidation`),
 * done once in the pipeline so that no verb can skip it.
 */
import { badRequest } from '../machinery/errors/index.js';
import type { ResolvedCall, Verb } from './api-call.js';
import { checkFieldValidation } from './decode.js';

const MUTATING: ReadonlySet<Verb> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

function checkDryRunValues(values: unknown): void {
  if (values === undefined) return;
  const list = Array.isArray(values) ? values : [values];
  for (const v of list) {
    if (v !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(v)}; valid values: "All"`);
  }
}

/** Throws 400 for an unsupported dryRun or fieldValidation on a mutating call (query or DeleteOptions body). */
export function validateWriteOptions(call: ResolvedCall): void {
  if (!MUTATING.has(call.verb)) return;
  checkDryRunValues(call.options.dryRun);
  checkFieldValidation(call.options.fieldValidation);
  if ((call.verb === 'delete' || call.verb === 'deletecollection') && call.body && typeof call.body === 'object') {
    checkDryRunValues((call.body as { dryRun?: unknown }).dryRun);
  }
}
