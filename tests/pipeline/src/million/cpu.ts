import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux build). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks: its own CPU and that of the children it reaped. */
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3] ?? 0);
  return {
    pid: Number(text.slice(0, text.indexOf(' '))),
    ppid: field(4),
    ticks: field(14) + field(15) + field(16) + field(17),
  };
}

function allProcesses(): ProcStat[] {
  const found: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat !== null) found.push(stat);
  }
  return found;
}

/**
 * CPU seconds used so far by a process and everything under it. A child that exited is counted in
 * its parent's cutime/cstime once reaped, so a tree's sum keeps the work of short-lived children
 * (Postgres backends, the emulator's wrapper) as long as their parent lives.
 */
export function treeCpuSeconds(root: number, processes = allProcesses()): number {
  const rootStat = readStat(root);
  if (rootStat === null) return 0;
  const children = new Map<number, ProcStat[]>();
  for (const p of processes) {
    const siblings = children.get(p.ppid);
    if (siblings === undefined) children.set(p.ppid, [p]);
    else siblings.push(p);
  }
  let ticks = 0;
  const stack = [rootStat];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    ticks += p.ticks;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}

/** What the run watches: a name and the root process of each part. */
export interface Watched {
  name: string;
  /** The root of the part's process tree; `self` is this process alone (its children are watched apart). */
  pid: number | 'self' | undefined;
  /** Said beside the figure, e.g. that the server is shared with other work on the machine. */
  note?: string;
}

export interface CpuShare {
  name: string;
  seconds: number;
  /** Share of the run's capacity: wall time × cores. */
  percent: number;
  note: string;
}

/** Reads every watched tree at start; `end` reads them again and returns each one's share of the run. */
export function startCpuWatch(watched: readonly Watched[]): {
  end: (wallSeconds: number, cores: number) => CpuShare[];
} {
  const read = () => {
    const processes = allProcesses();
    return watched.map((w) => {
      if (w.pid === 'self') {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1e6;
      }
      return w.pid === undefined ? 0 : treeCpuSeconds(w.pid, processes);
    });
  };
  const atStart = read();
  return {
    end: (wallSeconds, cores) => {
      const atEnd = read();
      return watched.map((w, i) => {
        const seconds = Math.max(0, (atEnd[i] ?? 0) - (atStart[i] ?? 0));
        return {
          name: w.name,
          seconds,
          percent: (100 * seconds) / (wallSeconds * cores),
          note: w.note ?? '',
        };
      });
    },
  };
}
