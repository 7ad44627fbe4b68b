import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by this process's descendants named `comm` (e.g. the
 * workerd that Miniflare spawns), read from /proc. A server's CPU time per request is the stable
 * figure on a shared machine, where its req/s also depends on what else got the cores.
 * @returns null where /proc is missing (not Linux) or no such process exists
 */
export function descendantCpuSeconds(comm: string): number | null {
  const procs = descendants(comm);
  return procs.length ? procs.reduce((a, p) => a + p.ticks, 0) / TICKS_PER_SECOND : null;
}

/** Pids of this process's descendants named `comm`. */
export function descendantPids(comm: string): number[] {
  return descendants(comm).map((p) => p.pid);
}

function descendants(comm: string): Array<{ pid: number; ticks: number }> {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const stat = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const d of entries) {
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = text.lastIndexOf(')');
      const name = text.slice(text.indexOf('(') + 1, close);
      const f = text.slice(close + 2).split(' ');
      stat.set(Number(d), { ppid: Number(f[1]), comm: name, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended between the listing and the read
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = stat.get(pid)?.ppid, hops = 0; p !== undefined && hops < 64; p = stat.get(p)?.ppid, hops++) if (p === process.pid) return true;
    return false;
  };
  const out: Array<{ pid: number; ticks: number }> = [];
  for (const [pid, s] of stat) if (s.comm === comm && isDescendant(pid)) out.push({ pid, ticks: s.ticks });
  return out;
}
