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
 * Counts DSJSON lines as they are read and keeps the first decision of each `EventId` (see
 * `readDsjsonLine` for what each kind of line becomes). Lines that are not decisions are skipped
 * and counted, as VW does; a malformed line is too, unless `strict` (VW's `--strict_parse`),
 * where it is a usage error naming it. Only ids are remembered, so files can stream through.
 */
export class DsjsonTally {
  readonly counts: DsjsonCounts;
  private readonly seen = new Set<string>();

  constructor(private readonly options: { strict?: boolean; passedOver?: readonly string[] } = {}) {
    this.counts = {
      files: 0,
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
  }

  /**
   * @param where `file:line`, for messages
   * @returns the decision, or null when the line is skipped or repeats an `EventId`
   * @throws UsageError on a malformed line when strict
   */
  add(line: string, where: string): DsjsonDecision | null {
    if (line.trim() === '') return null;
    const c = this.counts;
    c.lines++;
    const r = readDsjsonLine(line);
    if (r.kind === 'skip') {
      c.skipped[r.reason]++;
      if (r.reason === 'malformed') {
        const problem = `${where}: ${r.detail ?? 'malformed'}`;
        if (this.options.strict) throw new UsageError(`dsjson: ${problem}`);
        if (c.problems.length < 10) c.problems.push(problem);
      }
      return null;
    }
    const d = r.decision;
    if (this.seen.has(d.event_id)) {
      c.duplicates++;
      return null;
    }
    this.seen.add(d.event_id);
    c.decisions++;
    c.unlabelled += d.labelled ? 0 : 1;
    c.pdrop += d.pdrop > 0 ? 1 : 0;
    c.shortened_ids += d.shortened_ids;
    c.repeated_ids += d.repeated_ids;
    return d;
  }

  /** Every decision of one file's lines, in order, as they stream in. */
  async *file(name: string, lines: AsyncIterable<string>): AsyncGenerator<DsjsonDecision> {
    this.counts.files++;
    let n = 0;
    for await (const line of lines) {
      const d = this.add(line, `${name}:${++n}`);
      if (d) yield d;
    }
  }

  /** `file` for lines already in memory. */
  *fileSync(name: string, lines: Iterable<string>): Generator<DsjsonDecision> {
    this.counts.files++;
    let n = 0;
    for (const line of lines) {
      const d = this.add(line, `${name}:${++n}`);
      if (d) yield d;
    }
  }
}

/** Every decision of DSJSON files held in memory, with the counts (see `DsjsonTally`). */
export function readDsjsonFiles(files: readonly LogFile[], options: { strict?: boolean; passedOver?: readonly string[] } = {}): { decisions: DsjsonDecision[]; counts: DsjsonCounts } {
  const tally = new DsjsonTally(options);
  const decisions: DsjsonDecision[] = [];
  for (const f of files) for (const d of tally.fileSync(f.name, f.text.split('\n'))) decisions.push(d);
  return { decisions, counts: tally.counts };
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
