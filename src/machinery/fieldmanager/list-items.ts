/** Identity of a list element: its key fields, its value (sets), or its index (atomic lists). */
import type { PathElement } from './path.js';
import type { ListNode } from './type-node.js';
import { isObject } from './atoms.js';
import type { Json } from './value.js';

export class ListItemError extends Error {}

export function listItemPathElement(list: ListNode, index: number, item: unknown): PathElement {
  if (list.relationship !== 'associative') return { index };
  if (list.keys.length > 0) {
    if (item === null) throw new ListItemError('associative list with keys may not have a null element');
    if (!isObject(item)) throw new ListItemError('associative list with keys may not have non-map elements');
    const key: { name: string; value: Json }[] = [];
    for (const name of list.keys) {
      if (name in item) key.push({ name, value: item[name] as Json });
      else {
        const def = list.keyDefault?.(name);
        if (def !== undefined && def !== null) key.push({ name, value: def as Json });
        else throw new ListItemError(`associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)`);
      }
    }
    key.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { key };
  }
  if (isObject(item)) throw new ListItemError("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new ListItemError('not supported: associative list with lists as elements');
  if (item === null) throw new ListItemError("associative list without keys has an element that's an explicit null");
  return { value: item as Json };
}
