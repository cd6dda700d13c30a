/**
 * Appends every item to the list. `list.push(...items)` passes each item as an argument, and V8 throws RangeError
 * past about 120,000 of them: one group or Service Tag can hold more addresses than that.
 */
export function pushAll<T>(list: T[], items: Iterable<T>): T[] {
  for (const item of items) list.push(item);
  return list;
}
