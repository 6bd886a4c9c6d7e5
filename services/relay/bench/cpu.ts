// CPU time of process trees from /proc (Linux): what `npm run bench:relay` charges each intake for, so
// the figure survives a shared machine better than a latency does (other jobs' load stretches wall
// time, much less the CPU the relay itself burns per request).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ, the unit of /proc's CPU times (100 on every Linux we run on; asked rather than assumed). */
const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: the process's own CPU and its reaped children's. */
  ticks: number;
  /** utime + stime alone. */
  ownTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: the fields after its last ')' are fixed.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const at = (field: number) => Number(fields[field - 3]);
    return { pid, ppid: at(4), ticks: at(14) + at(15) + at(16) + at(17), ownTicks: at(14) + at(15) };
  } catch {
    return null;
  }
}

function allStats(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

/** CPU seconds used so far by `pid` itself (every thread of it), without its children. */
export function processCpuSeconds(pid: number): number {
  const stat = readStat(pid);
  return stat === null ? NaN : stat.ownTicks / clockTicksPerSecond;
}

/** CPU seconds used so far by `root` and every live descendant (a PostgreSQL server and its backends, say). */
export function treeCpuSeconds(root: number): number {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let ticks = 0;
  const pending = stats.filter((stat) => stat.pid === root);
  while (pending.length > 0) {
    const stat = pending.pop()!;
    ticks += stat.ticks;
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return ticks / clockTicksPerSecond;
}

/** The pid of the live process whose command line holds every one of `parts` (the Hardhat node by its port). */
export function findProcess(parts: readonly string[]): number | null {
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (parts.every((part) => args.includes(part))) return Number(name);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return null;
}
