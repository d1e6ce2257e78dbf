/**
 * The benchmark's side of the client processes: forks them, deals the people out among them
 * (interleaved, so every room has members in several processes), runs each phase on all of them
 * at once and merges their reports. The person events they push (timeline, notifications) go to
 * `onObserved` as they come.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../../scripts/service-process.js';
import { replyOf } from '../lib/child-reply.js';
import type { ChildMessage, ConnectionKind, MentionReport, MentionSender, Observed, ParentMessage, PersonConnection, RoomLoadReport, SeqCheck } from './protocol.js';

const PROCESS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client-process.js');
/** How long a process may take to close its connections and exit when told to. */
const EXIT_GRACE_MS = 5_000;

type Reply<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

/** Deals `items` out to `count` hands: item i goes to hand i mod count. */
export function deal<T>(items: readonly T[], count: number): T[][] {
  const hands = Array.from({ length: count }, () => [] as T[]);
  items.forEach((item, i) => hands[i % count]!.push(item));
  return hands;
}

const addChecks = (a: SeqCheck, b: SeqCheck): SeqCheck => ({ checked: a.checked + b.checked, outOfOrder: a.outOfOrder + b.outOfOrder, gaps: a.gaps + b.gaps });

/** The processes' load reports as one, with each process's CPU share kept. */
export interface MergedLoadReport extends Omit<RoomLoadReport, 'type' | 'coreShare' | 'loopDelayP99Ms'> {
  coreShares: number[];
  loopDelaysP99Ms: number[];
}

export interface MergedMentionReport extends Omit<MentionReport, 'type' | 'coreShare'> {
  coreShares: number[];
}

export class ClientPool {
  /** Connections that were ready, in all processes. */
  connected = 0;
  /** From forking until the last process had all its connections ready. */
  connectMs = 0;
  errors = 0;
  firstError: string | undefined;
  private readonly observers: Array<(observed: Observed) => void> = [];

  private constructor(private readonly children: ChildProcess[]) {
    for (const child of children) {
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'observed') for (const observe of this.observers) observe(message);
      });
    }
  }

  /** Forks `processes` client processes and opens every person's connection; resolves once all are ready. */
  static async open(options: { kind: ConnectionKind; url: string; people: readonly PersonConnection[]; processes: number; connectBatch: number }): Promise<ClientPool> {
    const started = performance.now();
    const children = Array.from({ length: options.processes }, () => fork(PROCESS_FILE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const pool = new ClientPool(children);
    try {
      const hands = deal(options.people, options.processes);
      const batch = Math.max(1, Math.round(options.connectBatch / options.processes));
      const ready = await pool.all('ready', (i) => ({ type: 'config', config: { kind: options.kind, url: options.url, people: hands[i]!, connectBatch: batch } }));
      pool.connectMs = performance.now() - started;
      for (const r of ready) {
        pool.connected += r.connected;
        pool.errors += r.errors;
        pool.firstError ??= r.firstError;
      }
      return pool;
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  /** Calls `observe` with every batch of person events from now on. */
  onObserved(observe: (observed: Observed) => void): void {
    this.observers.push(observe);
  }

  /** Every connection sends into its open room at Poisson gaps; resolves once every process has drained. */
  async roomLoad(perSecond: number, durationMs: number): Promise<MergedLoadReport> {
    const reports = await this.all('load-report', () => ({ type: 'load', perSecond, durationMs }));
    return {
      sent: reports.reduce((sum, r) => sum + r.sent, 0),
      messages: reports.reduce((sum, r) => sum + r.messages, 0),
      messageLatenciesMs: reports.flatMap((r) => r.messageLatenciesMs),
      messageOrder: reports.map((r) => r.messageOrder).reduce(addChecks),
      activity: reports.reduce((sum, r) => sum + r.activity, 0),
      activityLatenciesMs: reports.flatMap((r) => r.activityLatenciesMs),
      activityOrder: reports.map((r) => r.activityOrder).reduce(addChecks),
      lastEventMs: Math.max(...reports.map((r) => r.lastEventMs)),
      coreShares: reports.map((r) => r.coreShare),
      loopDelaysP99Ms: reports.map((r) => r.loopDelayP99Ms),
      errors: reports.reduce((sum, r) => sum + r.errors, 0),
      ...firstErrorOf(reports),
    };
  }

  /** Connects the mention senders, dealt out to the processes; resolves how many are ready. */
  async connectMentionSenders(senders: readonly MentionSender[]): Promise<number> {
    const hands = deal(senders, this.children.length);
    const ready = await this.all('mention-ready', (i) => ({ type: 'mention-connect', senders: hands[i]! }));
    return ready.reduce((sum, r) => sum + r.senders, 0);
  }

  /** The connected senders mention members of their rooms at Poisson gaps of mean 1 / `perSecond` each. */
  async mentions(perSecond: number, durationMs: number): Promise<MergedMentionReport> {
    const reports = await this.all('mention-report', () => ({ type: 'mentions', perSecond, durationMs }));
    return {
      senders: reports.reduce((sum, r) => sum + r.senders, 0),
      sent: reports.reduce((sum, r) => sum + r.sent, 0),
      ackLatenciesMs: reports.flatMap((r) => r.ackLatenciesMs),
      activity: reports.reduce((sum, r) => sum + r.activity, 0),
      coreShares: reports.map((r) => r.coreShare),
      errors: reports.reduce((sum, r) => sum + r.errors, 0),
      ...firstErrorOf(reports),
    };
  }

  /** Tells every process to close its connections and exit; one that does not within a few seconds is stopped. */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode === null && child.signalCode === null && child.connected) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.send({ type: 'stop' } satisfies ParentMessage);
          await Promise.race([exited, sleep(EXIT_GRACE_MS)]);
        }
        await stopProcess(child);
      }),
    );
  }

  /** Sends each process its message and resolves every process's reply of type `type`. */
  private all<T extends ChildMessage['type']>(type: T, message: (i: number) => ParentMessage): Promise<Array<Reply<T>>> {
    return Promise.all(
      this.children.map((child, i) => {
        const reply = replyOf<ChildMessage, T>(child, type, 'stream client process');
        child.send(message(i));
        return reply;
      }),
    );
  }
}

function firstErrorOf(reports: ReadonlyArray<{ firstError?: string }>): { firstError?: string } {
  const first = reports.find((r) => r.firstError !== undefined)?.firstError;
  return first === undefined ? {} : { firstError: first };
}
