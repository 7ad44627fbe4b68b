import { CatalogItem } from '../../shared/schemas/catalog.js';

/** A rejected catalog line. */
export interface CatalogLineError {
  line: number;
  message: string;
}

export type CatalogParse = { ok: true; items: CatalogItem[] } | { ok: false; errors: CatalogLineError[] };

/**
 * Parses and validates catalog NDJSON. All-or-nothing: any bad line (bad JSON, schema violation,
 * duplicate id) makes the whole file invalid, so an upload never replaces a good catalog with a
 * partial one. Blank lines are allowed.
 * @param text the file's contents
 * @param maxErrors stop collecting after this many errors
 * @returns the items in file order, or every error found with its 1-based line number
 */
export function parseCatalog(text: string, maxErrors = 50): CatalogParse {
  const items: CatalogItem[] = [];
  const errors: CatalogLineError[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && errors.length < maxErrors; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      errors.push({ line: i + 1, message: 'not valid JSON' });
      continue;
    }
    const parsed = CatalogItem.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      errors.push({ line: i + 1, message: `${issue.path.map(String).join('.') || '(item)'}: ${issue.message}` });
      continue;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      errors.push({ line: i + 1, message: `duplicate id ${JSON.stringify(parsed.data.id)} (first on line ${first})` });
      continue;
    }
    seen.set(parsed.data.id, i + 1);
    items.push(parsed.data);
  }
  return errors.length ? { ok: false, errors } : { ok: true, items };
}

/** @returns the canonical NDJSON of a catalog (defaults filled in), one item per line */
export function catalogNdjson(items: readonly CatalogItem[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
}
