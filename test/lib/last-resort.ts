// Last-resort cleanup: if a suite's afterAll never runs (the worker is killed
// by SIGTERM/SIGINT/SIGHUP, or exits early), every live Lab is torn down
// synchronously from the exit/signal handler. Normal cleanup is Lab.cleanup()
// from afterAll or a finally block; this only catches what that missed.
// A SIGKILLed run cannot clean up at all: names.ts's stale sweep covers it.

export interface SyncCleanable {
  cleanupSync(): void;
}

const live = new Set<SyncCleanable>();
const signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;

export function track(item: SyncCleanable): void {
  install();
  live.add(item);
}

export function untrack(item: SyncCleanable): void {
  live.delete(item);
}

function cleanAll(): void {
  for (const item of [...live]) {
    live.delete(item);
    try {
      item.cleanupSync();
    } catch {
      // Keep going: the remaining labs still need their turn.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", cleanAll);
  for (const sig of signals) {
    const onSignal = (): void => {
      cleanAll();
      process.off(sig, onSignal);
      // Re-raise with the default action unless someone else handles the signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}
