/**
 * What the bench reads of its processes from Linux's /proc: memory, children and CPU time.
 * Each answers 0 (or none) for a process that is gone or on a system without /proc.
 */
import { readFileSync } from 'node:fs';

/** A process's resident set size now, in bytes. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The direct children of a process (the embedded database of the server child). */
export function childrenOf(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return tasks.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU time a process has used so far (user and system), in ms. */
export function cpuMsOf(pid: number): number {
  try {
    // The fields after the command name (which may hold spaces), from field 3: utime is the 14th,
    // stime the 15th, both in clock ticks of 1/100 s (Linux's USER_HZ on every common platform).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
