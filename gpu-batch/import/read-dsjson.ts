import { readDsjsonLine, DSJSON_SKIP_REASONS, type DsjsonDecision, type DsjsonSkipReason } from '../../shared/ope/dsjson-line.js';
import { UsageError } from '../config/errors.js';
import type { LogFile } from '../ope/log-files.js';

/** What reading DSJSON files found, line by line (the counts VW's `--extra_metrics` reports, and more). */
export interface DsjsonCounts {
  files: number;
  /** Non-blank lines read. */
  lines: number;
  /** Decisions kept (first copy of each `EventId`). */
  decisions: number;
  /** Lines skipped, by reason. */
  skipped: Record<DsjsonSkipReason, number>;
  /** Decisions whose `EventId` an earlier line had (the first copy is kept). */
  duplicates: number;
  /** Kept CB decisions without a label (reward 0). */
  unlabelled: number;
  /** Kept decisions with `pdrop` > 0 (their estimates are unweighted; see docs/dsjson.md). */
  pdrop: number;
  /** Action ids shortened (over 128 characters) or disambiguated (repeated in one decision). */
  shortened_ids: number;
  repeated_ids: number;
  /** Files under a folder that were not read because of their name. */
  passed_over: string[];
  /** The first malformed lines, `file:line: reason`. */
  problems: string[];
}

/**
 * Reads every line of DSJSON files (see `readDsjsonLine` for what each kind of line becomes).
 * Lines that are not decisions are skipped and counted, as VW does; a malformed line is too,
 * unless `strict` (VW's `--strict_parse`), where it is a usage error naming it.
 * @throws UsageError on a malformed line when strict
 */
export function readDsjsonFiles(files: readonly LogFile[], options: { strict?: boolean; passedOver?: readonly string[] } = {}): { decisions: DsjsonDecision[]; counts: DsjsonCounts } {
  const counts: DsjsonCounts = {
    files: files.length,
    lines: 0,
    decisions: 0,
    skipped: Object.fromEntries(DSJSON_SKIP_REASONS.map((r) => [r, 0])) as Record<DsjsonSkipReason, number>,
    duplicates: 0,
    unlabelled: 0,
    pdrop: 0,
    shortened_ids: 0,
    repeated_ids: 0,
    passed_over: [...(options.passedOver ?? [])],
    problems: [],
  };
  const byId = new Map<string, DsjsonDecision>();
  for (const f of files) {
    const lines = f.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      counts.lines++;
      const r = readDsjsonLine(line);
      if (r.kind === 'skip') {
        counts.skipped[r.reason]++;
        if (r.reason === 'malformed') {
          const where = `${f.name}:${i + 1}: ${r.detail ?? 'malformed'}`;
          if (options.strict) throw new UsageError(`dsjson: ${where}`);
          if (counts.problems.length < 10) counts.problems.push(where);
        }
        continue;
      }
      const d = r.decision;
      if (byId.has(d.event_id)) {
        counts.duplicates++;
        continue;
      }
      byId.set(d.event_id, d);
      counts.unlabelled += d.labelled ? 0 : 1;
      counts.pdrop += d.pdrop > 0 ? 1 : 0;
      counts.shortened_ids += d.shortened_ids;
      counts.repeated_ids += d.repeated_ids;
    }
  }
  counts.decisions = byId.size;
  return { decisions: [...byId.values()], counts };
}

/** One line per count that is not zero, for a command's report. */
export function formatDsjsonCounts(c: DsjsonCounts): string {
  const skipped = Object.entries(c.skipped).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`);
  const parts = [
    `${c.decisions} decisions from ${c.lines} lines in ${c.files} files`,
    skipped.length ? `skipped: ${skipped.join(', ')}` : '',
    c.duplicates ? `repeated EventIds: ${c.duplicates} (first kept)` : '',
    c.unlabelled ? `unlabelled CB decisions (reward 0): ${c.unlabelled}` : '',
    c.pdrop ? `decisions with pdrop > 0: ${c.pdrop}` : '',
    c.shortened_ids ? `action ids over 128 characters shortened: ${c.shortened_ids}` : '',
    c.repeated_ids ? `repeated action ids kept apart: ${c.repeated_ids}` : '',
    c.passed_over.length ? `files not read (name): ${c.passed_over.length} (${c.passed_over.slice(0, 3).join(', ')}${c.passed_over.length > 3 ? ' …' : ''})` : '',
    ...c.problems.map((p) => `malformed ${p}`),
  ];
  return parts.filter(Boolean).map((p) => `dsjson: ${p}\n`).join('');
}
