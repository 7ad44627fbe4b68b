/**
 * Where a run tells the operator what it is doing. Progress goes to stderr so that stdout stays
 * clean for machine-readable output (`status --json`, the run summary).
 */
export interface Progress {
  /** A one-line message. */
  info(message: string): void;
  warn(message: string): void;
  /** A counter such as `download 12/40`; redrawn in place on a terminal. */
  bar(label: string, done: number, total: number): void;
}

/** Silent progress, for tests and library callers that report on their own. */
export const silentProgress: Progress = { info() {}, warn() {}, bar() {} };

/**
 * Progress on a stream (stderr by default). On a TTY the bar redraws one line; otherwise it logs
 * at most every 10% so CI logs stay short.
 */
export function streamProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let open = false;
  const lastTenth = new Map<string, number>();
  const endBar = () => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    info(message) {
      endBar();
      stream.write(`${message}\n`);
    },
    warn(message) {
      endBar();
      stream.write(`warning: ${message}\n`);
    },
    bar(label, done, total) {
      const frac = total > 0 ? done / total : 1;
      if (tty) {
        const width = 30;
        const fill = Math.round(frac * width);
        stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total}`);
        open = true;
        if (done >= total) endBar();
        return;
      }
      const tenth = Math.floor(frac * 10);
      if (lastTenth.get(label) === tenth && done < total) return;
      lastTenth.set(label, tenth);
      stream.write(`${label} ${done}/${total}\n`);
    },
  };
}
