import { z } from 'zod';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig, Flags } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import type { Progress } from '../util/progress.js';

/** What a command runs with: the configuration (parsed once from env + flags) and its I/O. */
export interface CommandContext<F> {
  config: BatchConfig;
  /** The bucket the configuration names (opened once, closed by the CLI). */
  store: ObjectStore;
  progress: Progress;
  out: NodeJS.WritableStream;
  /** The command's own flags, parsed by its schema. */
  flags: F;
  positionals: string[];
}

/**
 * One `slatecast` command: its usage, its own flags as a zod schema (kebab-case names as typed;
 * the configuration's flags are common to all commands and checked by `loadConfig`), what it
 * takes as positionals, and what it does.
 */
export interface Command<S extends z.ZodObject = z.ZodObject> {
  /** Lines of the usage text, the first naming the command. */
  usage: string;
  flags: S;
  /** Checks the positionals; returns the problem, or null when they are fine. */
  positionals(p: readonly string[]): string | null;
  /** @returns the exit code (0 ok); failures throw (UsageError: exit 2, others: exit 1) */
  run(ctx: CommandContext<z.output<S>>): Promise<number>;
}

/** Types a command literal (its `run` sees its own flags' parsed type). */
export function defineCommand<S extends z.ZodObject>(c: Command<S>): Command<S> {
  return c;
}

/** Positional rules used by several commands. */
export const none = (p: readonly string[]) => (p.length ? `unexpected arguments: ${p.join(' ')}` : null);

/**
 * Parses a command's own flags with its schema.
 * @throws UsageError naming the flag, its value and what is wrong
 */
export function parseCommandFlags<S extends z.ZodObject>(name: string, schema: S, flags: Flags): z.output<S> {
  const own = Object.fromEntries(Object.keys(schema.shape).flatMap((k) => (flags[k] === undefined ? [] : [[k, flags[k]]])));
  const r = schema.safeParse(own);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const flag = String(issue.path[0] ?? '');
  const value = flags[flag];
  throw new UsageError(`${name}: --${flag}${typeof value === 'string' ? ` ${value}` : ''}: ${issue.message}`);
}

/** Whether a flag of a schema takes no value (a boolean, possibly optional or defaulted). */
export function isBooleanFlag(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  if (def.type === 'boolean') return true;
  const inner = def.innerType ?? def.in;
  return inner ? isBooleanFlag(inner) : false;
}
