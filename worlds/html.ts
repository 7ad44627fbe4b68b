import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Chart.js's UMD build as a string to inline in a `<script>`, so a report renders offline with
 * no CDN. chart.js exports no subpath for its UMD build; it sits beside the CommonJS entry.
 */
export async function chartJsSource(): Promise<string> {
  const require = createRequire(import.meta.url);
  const js = await readFile(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return js.replace(/<\/script/gi, '<\\/script');
}

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
