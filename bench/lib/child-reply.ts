/**
 * Waiting for a benchmark child process's answer over IPC: its next message of one type, or a
 * rejection when it says it failed or exits first.
 */
import type { ChildProcess } from 'node:child_process';

/** The messages every benchmark child may send: its own, and a failure. */
type ChildMessages = { type: string } | { type: 'failed'; message: string };

/** Resolves `child`'s next message of type `type`; `label` names the child in errors. */
export function replyOf<M extends ChildMessages, T extends M['type']>(child: ChildProcess, type: T, label: string): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: M) => {
      if (m.type === type) done(() => resolve(m as Extract<M, { type: T }>));
      else if (m.type === 'failed') done(() => reject(new Error(`${label} failed: ${(m as { message: string }).message}`)));
    };
    const onExit = (code: number | null, signal: string | null) => done(() => reject(new Error(`${label} exited (${signal ?? code}) before answering ${type}`)));
    const done = (settle: () => void) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * The child's side: sends `message` to the benchmark over IPC and resolves once it is written.
 * process.send is asynchronous, and a disconnect right after it may drop a large message (a
 * report with every latency), so a child awaits this before it disconnects.
 */
export function tellParent(message: { type: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(message, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}
