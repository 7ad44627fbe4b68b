import { hash32 } from '../rng.js';

/** Longest item id this project stores (`ItemId` in `shared/schemas/common.ts`). */
export const ITEM_ID_MAX = 128;

/** How action objects of `c._multi` became item ids, for one decision. */
export interface ActionIds {
  /** Item id of each action of `c._multi`, by index; unique within the decision. */
  ids: string[];
  /** Ids that were too long or held control characters and were shortened. */
  shortened: number;
  /** Actions whose id an earlier action of the same decision already had. */
  repeated: number;
}

/**
 * The raw id of a Decision Service action: its own string `id`, else the `id` of its first
 * namespace object that has one (`{ "i": { "id": "Latte" } }` → `Latte`, the shape Personalizer
 * writes), else its `_tag`, else null.
 */
export function rawActionId(action: unknown): string | null {
  if (!isRecord(action)) return null;
  if (typeof action['id'] === 'string') return action['id'];
  for (const v of Object.values(action)) if (isRecord(v) && typeof v['id'] === 'string') return v['id'];
  if (typeof action['_tag'] === 'string') return action['_tag'];
  return null;
}

/**
 * Item ids for every action of one decision's `c._multi`.
 *
 * Why shorten rather than reject: Personalizer action ids are free text (URLs of articles are
 * common) and often exceed the 128 characters an item id may have here. A too-long id (or one
 * with control characters) becomes its first 100 printable characters, `~`, and 16 hex digits of
 * two 32-bit FNV-1a hashes of the whole id, so distinct long ids stay distinct (up to a 2^-64
 * collision) and the same long id maps to the same item in every line.
 *
 * Why keep repeats apart: VW addresses actions by index, so two actions of one decision with the
 * same id are two actions. The second gets `<id>#<index>` so that a slate never holds one item
 * twice (an impression here shows an item at most once, and events are joined by item).
 *
 * @param multi the actions (`c._multi`)
 * @param actionId overrides `rawActionId`; its result is still shortened and de-duplicated
 */
export function actionIds(multi: readonly unknown[], actionId?: (action: unknown, index: number) => string): ActionIds {
  const seen = new Set<string>();
  let shortened = 0;
  let repeated = 0;
  const ids = multi.map((a, i) => {
    const raw = actionId ? actionId(a, i) : rawActionId(a);
    let id = raw === null || raw === '' ? String(i) : raw;
    if (id.length > ITEM_ID_MAX || /[\u0000-\u001f\u007f]/.test(id)) {
      id = shorten(id);
      shortened++;
    }
    if (seen.has(id)) {
      repeated++;
      id = `${id.length > ITEM_ID_MAX - 8 ? shorten(id, 80) : id}#${i}`;
    }
    seen.add(id);
    return id;
  });
  return { ids, shortened, repeated };
}

/** `<printable prefix>~<16 hex>`: a stable id of at most `prefix + 17` characters. */
function shorten(id: string, prefix = 100): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const clean = id.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, prefix);
  return `${clean}~${hex(hash32(id))}${hex(hash32(id, 0x9e3779b9))}`;
}

/** A plain JSON object (not an array, not null). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
