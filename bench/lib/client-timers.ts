/**
 * How benchmark clients keep time, as independent people do: each client its own timer, its
 * sends at Poisson gaps (exponential, independent of every other client) from a random phase.
 * Load from one timer that sends every due message at each tick arrives in bunches, so the
 * server shares each write, flush and INSERT among many; real clients never do that for it.
 */

/** An exponential gap with mean `meanMs`: the time between arrivals of a Poisson process. */
export const poissonGapMs = (meanMs: number) => -Math.log(1 - Math.random()) * meanMs;

/**
 * Each of `senders` (a missing one, whose connection failed, sends nothing) calls
 * `send(sender, index, n)` for its n-th send at Poisson arrivals of `perSecond` per second
 * for `durationMs`. Every send is due at an absolute time, so a late timer never lowers the rate;
 * a send never waits for an answer, so a slow server shows as latency. Sends not yet due when the
 * time is up are dropped at once (waiting for each client's next gap would stretch the phase by
 * the longest of thousands of gaps). Resolves the number sent.
 */
export function sendPoisson<T>(
  senders: ReadonlyArray<T | undefined>,
  perSecond: number,
  durationMs: number,
  send: (sender: T, index: number, n: number) => void,
): Promise<number> {
  if (perSecond <= 0) return new Promise((resolve) => setTimeout(() => resolve(0), durationMs));
  const meanGapMs = 1000 / perSecond;
  const started = performance.now();
  const endsAt = started + durationMs;
  const timers = new Array<NodeJS.Timeout | undefined>(senders.length);
  let sent = 0;
  senders.forEach((sender, index) => {
    if (sender === undefined) return;
    let due = started + poissonGapMs(meanGapMs);
    let n = 0;
    const fire = () => {
      send(sender, index, n);
      n += 1;
      sent += 1;
      due += poissonGapMs(meanGapMs);
      timers[index] = due < endsAt ? setTimeout(fire, Math.max(0, due - performance.now())) : undefined;
    };
    if (due < endsAt) timers[index] = setTimeout(fire, due - started);
  });
  return new Promise((resolve) =>
    setTimeout(() => {
      for (const timer of timers) clearTimeout(timer);
      resolve(sent);
    }, durationMs),
  );
}

/** The CPU this process used since `before`, as a share of one core over `elapsedMs`. */
export function coreShareSince(before: NodeJS.CpuUsage, elapsedMs: number): number {
  const cpu = process.cpuUsage(before);
  return elapsedMs > 0 ? (cpu.user + cpu.system) / 1000 / elapsedMs : 0;
}
