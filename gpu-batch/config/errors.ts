/**
 * A problem with what the operator gave us (flags, env, input files). The CLI turns it into exit
 * code 2 with the message, and never a stack trace: the fix is on the caller's side.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
