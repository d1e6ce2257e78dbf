/**
 * A bounded queue of work: at most `concurrent` jobs run at once and at most `queued` more wait
 * (counted from the moment they are admitted, while their input still arrives); past that,
 * admission is refused at once with 503 and `Retry-After`, so the backlog never grows unbounded.
 */
import { AppError } from '@murmur/shared/errors';

export interface Admission {
  /** Runs `job` once a slot is free; the admission is spent when it settles. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Gives the admission back without running anything (the upload failed first). */
  release(): void;
}

export class WorkSlots {
  private admitted = 0;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Admissions held by each key (an account), so that one cannot take every place. */
  private readonly byKey = new Map<string, number>();

  constructor(
    private readonly concurrent: number,
    private readonly queued: number,
    /** Places one key may hold at once. */
    private readonly perKey: number = concurrent + queued,
    /** Seconds a refused client is told to wait. */
    private readonly retryAfterSeconds = 5,
  ) {}

  /** Jobs admitted and not yet settled: running, waiting, or still arriving. */
  get inFlight(): number {
    return this.admitted;
  }

  /**
   * Admits one job of `key`, or refuses: with 429 `TOO_MANY_UPLOADS` when the key holds `perKey`
   * places already, with 503 `MEDIA_BUSY` when every place is taken.
   */
  admit(key: string): Admission {
    const held = this.byKey.get(key) ?? 0;
    const retryAfter = { 'Retry-After': String(this.retryAfterSeconds) };
    if (held >= this.perKey) throw new AppError(429, 'TOO_MANY_UPLOADS', `at most ${this.perKey} uploads of one account at once`, retryAfter);
    if (this.admitted >= this.concurrent + this.queued) {
      throw new AppError(503, 'MEDIA_BUSY', 'too many pictures are being processed; try again shortly', retryAfter);
    }
    this.admitted++;
    this.byKey.set(key, held + 1);
    let spent = false;
    const spend = () => {
      if (spent) return false;
      spent = true;
      this.admitted--;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left > 0) this.byKey.set(key, left);
      else this.byKey.delete(key);
      return true;
    };
    return {
      run: async <T>(job: () => Promise<T>): Promise<T> => {
        if (spent) throw new Error('an admission runs one job');
        if (this.running < this.concurrent) this.running++;
        // A job that waits is handed its slot by the one finishing, still counted as running: were
        // the count lowered and raised again, a job asking in between would take the slot too.
        else await new Promise<void>((resolve) => this.waiting.push(resolve));
        try {
          return await job();
        } finally {
          spend();
          const next = this.waiting.shift();
          if (next) next();
          else this.running--;
        }
      },
      release: () => void spend(),
    };
  }
}
