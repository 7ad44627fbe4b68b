import type { Command } from '../command.js';
import { batchRun } from './batch-run.js';
import { batchServe } from './batch-serve.js';
import { catalogPut } from './catalog-put.js';
import { importDsjson } from './import-dsjson.js';
import { ope } from './ope.js';
import { rollbackCommand } from './rollback.js';
import { statusCommand } from './status.js';

/** Names of the batch tier's commands (`slatecast dev` is the local stack's, bin/slatecast.mjs). */
export type CommandName = 'catalog put' | 'batch run' | 'batch serve' | 'rollback' | 'status' | 'ope' | 'import dsjson';

/** Every command, in the order the usage text lists them; a missing one is a compile error. */
export const COMMANDS = {
  'catalog put': catalogPut,
  'batch run': batchRun,
  'batch serve': batchServe,
  rollback: rollbackCommand,
  status: statusCommand,
  ope,
  'import dsjson': importDsjson,
} satisfies Record<CommandName, Command>;
