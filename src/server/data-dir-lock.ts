/**
 * One server per data directory: `DATA_DIR/wheelhouse.lock` holds the owner's pid. A lock whose
 * process is gone (a crash, kill -9) is taken over; one held by a live process refuses start-up.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from './startup-error.js';

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Whether `pid` is a running process. A zombie (killed, not yet reaped by its parent: a server
 * killed with kill -9 under npm, whose parent died with it) answers signal 0 but holds nothing,
 * so on Linux its state in /proc decides.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** `/proc/PID/stat`'s state is `Z` (or `X`, dead); false where /proc is not there to say. */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // The command name is in parentheses and may hold spaces: the state follows the last `)`.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/** Takes the data directory's lock or throws a StartupError naming the holder. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, 'wheelhouse.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
      throw new StartupError(`the data directory ${dataDir} is in use by another server (pid ${holder}); stop it or pass another --data-dir`);
    }
    // The holder is gone: the lock is stale.
    await unlink(path).catch(() => undefined);
  }
  throw new StartupError(`could not lock the data directory ${dataDir}`);
}
