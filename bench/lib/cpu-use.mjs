/**
 * CPU use of processes the bench does not spawn itself (DynamoDB Local's JVM) and of the whole
 * machine, read from /proc and os.cpus(), to say who had the cores while a row ran. Linux only; every
 * reading is undefined elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on every Linux port in use). */
const TICKS_PER_SECOND = 100;

/** The pid of the process whose command line holds every one of `parts`, or undefined. */
export function findPid(parts) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((part) => args.includes(part))) return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return undefined;
}

/** User + system CPU ms a process (all its threads) has used so far, or undefined. */
export function processCpuMs(pid) {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU ms of the whole machine so far (all cores). */
export function machineCpuMs() {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

/**
 * Starts a CPU meter over the given pids and the machine; `stop()` returns cores used over the wall
 * time since: `{ wallMs, machine, byPid: {name: cores} }`, where `machine` is busy cores of all.
 */
export function startCpuMeter(pids) {
  const started = performance.now();
  const machine = machineCpuMs();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  return {
    stop() {
      const wallMs = performance.now() - started;
      const after = machineCpuMs();
      const byPid = {};
      for (const [name, pid] of Object.entries(pids)) {
        const now = processCpuMs(pid);
        byPid[name] =
          now === undefined || before[name] === undefined ? undefined : (now - before[name]) / wallMs;
      }
      return { wallMs, machine: (after.busy - machine.busy) / wallMs, byPid };
    },
  };
}
