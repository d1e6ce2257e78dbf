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
