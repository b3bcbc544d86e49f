/**
 * Server-side printing: objects and lists as meta.k8s.io Table (kubectl's human output),
 * and as PartialObjectMetadata(List). Columns come from the resource definition.
 */
import type { KubeList, KubeObject } from '../../machinery/meta/object.js';
import { AGE_COLUMN_SLOT, definitionApiVersion, NAME_COLUMN_SLOT, PLAIN_NAME_COLUMN_SLOT, type PrinterColumn, WIDE_NAME_COLUMN_SLOT } from '../../registry/rest/definition.js';
import { isStorageView, type ServedResource } from '../../registry/rest/served.js';
import { ageOf } from './age.js';

/** What the client asked to embed in each row (`includeObject`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A column definition as it goes on the wire. */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

function nameColumn(priority = 0, format = 'name'): PrinterColumn {
  return { name: 'Name', type: 'string', format, priority, description: NAME_DESCRIPTION, cell: (obj) => obj.metadata?.name ?? '' };
}

const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  cell: (obj) => ageOf(obj.metadata?.creationTimestamp),
};

/**
 * How one kind prints: its apiVersion and kind (for embedded objects) and all its columns,
 * Name included. A resource prints with its own columns; a subresource that speaks another
 * kind (scale) prints with that kind's.
 */
export interface TablePrinter {
  apiVersion: string;
  kind: string;
  columns: readonly PrinterColumn[];
  /** The order list rows print in; absent: the list's. */
  rowOrder?: (a: KubeObject, b: KubeObject) => number;
  /** The shape the cells read, made once per row (another version's object converted to storage); absent: the object. */
  cellSource?: (obj: KubeObject) => KubeObject;
}

/**
 * The definition's columns with Name first and Age after the last priority-0 column, as
 * upstream's printers place them, unless the definition puts either elsewhere itself.
 */
function columnsOf(def: ServedResource): PrinterColumn[] {
  const declared = def.printerColumns ?? [];
  let cols: PrinterColumn[] = declared.map((c) =>
    c === NAME_COLUMN_SLOT ? nameColumn() : c === WIDE_NAME_COLUMN_SLOT ? nameColumn(1) : c === PLAIN_NAME_COLUMN_SLOT ? nameColumn(0, '') : c,
  );
  if (!cols.some((c) => c.format === 'name') && !declared.includes(PLAIN_NAME_COLUMN_SLOT)) cols = [nameColumn(), ...cols];
  if (def.printsAge === false) return cols;
  if (cols.includes(AGE_COLUMN_SLOT)) return cols.map((c) => (c === AGE_COLUMN_SLOT ? AGE_COLUMN : c));
  if (cols.some((c) => c.name === 'Age')) return cols;
  const firstWide = cols.findIndex((c) => (c.priority ?? 0) > 0);
  const at = firstWide < 0 ? cols.length : firstWide;
  return [...cols.slice(0, at), AGE_COLUMN, ...cols.slice(at)];
}

/** Column definitions of a printer. */
export function columnDefinitions(printer: TablePrinter): TableColumnDefinition[] {
  return printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 }));
}

/** PartialObjectMetadata of an object. */
export function partialObjectMetadata(obj: KubeObject, apiVersion = 'meta.k8s.io/v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata ?? {} };
}

function row(printer: TablePrinter, obj: KubeObject, include: IncludeObject): Record<string, unknown> {
  const source = printer.cellSource ? printer.cellSource(obj) : obj;
  const cells = printer.columns.map((c) => c.cell(source));
  const r: Record<string, unknown> = { cells };
  if (include === 'Metadata') r.object = partialObjectMetadata(obj);
  else if (include === 'Object') r.object = { apiVersion: obj.apiVersion ?? printer.apiVersion, kind: obj.kind ?? printer.kind, ...obj };
  return r;
}

/** A Table for one object or a list. `withColumns: false` sends no column definitions (watch after the first event). */
export function toTable(
  printer: TablePrinter,
  input: KubeObject | KubeList,
  opts: { include: IncludeObject; tableVersion: string; withColumns?: boolean },
): KubeObject {
  const isList = Array.isArray((input as KubeList).items);
  const items = isList ? (input as KubeList).items : [input as KubeObject];
  const rows = isList && printer.rowOrder ? [...items].sort(printer.rowOrder) : items;
  const metadata: Record<string, unknown> = {};
  if (isList) {
    const lm = (input as KubeList).metadata;
    if (lm.resourceVersion) metadata.resourceVersion = lm.resourceVersion;
    if (lm.continue) metadata.continue = lm.continue;
    if (lm.remainingItemCount !== undefined) metadata.remainingItemCount = lm.remainingItemCount;
  } else if ((input as KubeObject).metadata?.resourceVersion) {
    metadata.resourceVersion = (input as KubeObject).metadata?.resourceVersion;
  }
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.tableVersion}`,
    metadata,
    columnDefinitions: opts.withColumns === false ? [] : columnDefinitions(printer),
    rows: rows.map((o) => row(printer, o, opts.include)),
  };
}

/** A PartialObjectMetadataList for a list. */
export function toPartialList(list: KubeList, version: string): KubeObject {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: list.metadata,
    items: list.items.map((o) => partialObjectMetadata(o, `meta.k8s.io/${version}`)),
  };
}

/** Columns upstream prints for autoscaling/v1 Scale. */
const SCALE_COLUMNS: PrinterColumn[] = [
  nameColumn(0, ''),
  {
    name: 'Desired',
    type: 'integer',
    description: 'Number of desired replicas.',
    cell: (obj) => Number((obj.spec as { replicas?: number } | undefined)?.replicas ?? 0),
  },
  {
    name: 'Available',
    type: 'integer',
    description: 'Number of actual replicas.',
    cell: (obj) => Number((obj.status as { replicas?: number } | undefined)?.replicas ?? 0),
  },
  AGE_COLUMN,
];

const SCALE_PRINTER: TablePrinter = { apiVersion: 'autoscaling/v1', kind: 'Scale', columns: SCALE_COLUMNS };

/** How a request's objects print: as the resource's own kind, or as the kind its subresource speaks. */
export function printerFor(def: ServedResource, subresource: string | undefined): TablePrinter {
  if (subresource === 'scale') return SCALE_PRINTER;
  // Cells read the storage version's shape, as upstream prints the internal object: another
  // version's objects (events.k8s.io/v1 Event, autoscaling/v1 HPA) are converted first.
  return {
    apiVersion: definitionApiVersion(def),
    kind: def.kind,
    columns: columnsOf(def),
    ...(def.tableRowOrder ? { rowOrder: def.tableRowOrder } : {}),
    ...(isStorageView(def) ? {} : { cellSource: (obj: KubeObject) => def.toStorage(obj) }),
  };
}
