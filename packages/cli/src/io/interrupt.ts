// SIGINT and SIGTERM for the commands that run until stopped (-E): caught from the moment the
// command line is parsed, before the command's modules load, so a stop that comes early (a script's
// `timeout` on a loaded machine) still ends the command cleanly, with its summary and status 0.

let interrupted = false;
let caught = false;
const waiters = new Set<() => void>();

function interrupt(): void {
  interrupted = true;
  for (const waiter of [...waiters]) waiter();
}

/** From now on SIGINT and SIGTERM are recorded instead of killing the process. */
export function catchInterrupts(): void {
  if (caught) return;
  caught = true;
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
}

/** Calls `stop` on the next interrupt, or at once when one came already; returns the undo. */
export function onInterrupt(stop: () => void): () => void {
  catchInterrupts();
  if (interrupted) {
    queueMicrotask(stop);
    return () => {};
  }
  waiters.add(stop);
  return () => waiters.delete(stop);
}
