/**
 * A long-lived LISTEN connection that survives database restarts. It reconnects with backoff,
 * and tells its owner when it (re)connects, because notifications sent while it was away are lost
 * and anything cached on their strength must be thrown away.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../logger.js';

/** First retry delay after the connection drops; doubled per failure up to the maximum. */
const RECONNECT_BASE_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 5_000;
/**
 * How often the connection proves it is alive. A connection that died without a reset (a
 * dropped NAT entry, a failover) would otherwise look live for hours while missing events.
 */
const HEALTH_CHECK_INTERVAL_MS = 10_000;
/** A health check slower than this counts as a dead connection; well under the interval. */
const HEALTH_CHECK_TIMEOUT_MS = 5_000;

export interface PgListenerEvents {
  notification: [channel: string, payload: string];
  /** The connection is up and LISTENing; anything missed while down is gone. */
  connected: [];
  disconnected: [];
}

export class PgListener extends EventEmitter<PgListenerEvents> {
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  /** True while notifications are being received. */
  connected = false;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Connects once; resolves when listening or rejects on the first failure (later ones retry). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'murmur-listener',
      keepAlive: true,
      keepAliveInitialDelayMillis: HEALTH_CHECK_INTERVAL_MS,
      query_timeout: HEALTH_CHECK_TIMEOUT_MS,
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'listener connection error');
      this.drop(client);
    });
    client.on('end', () => this.drop(client));
    client.on('notification', (msg) => {
      if (msg.payload !== undefined) this.emit('notification', msg.channel, msg.payload);
    });
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      this.drop(client);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.failures = 0;
    this.connected = true;
    this.healthTimer = setInterval(() => {
      client.query('SELECT 1').catch((err: unknown) => {
        this.logger.warn({ err }, 'listener health check failed');
        this.drop(client);
      });
    }, HEALTH_CHECK_INTERVAL_MS);
    this.healthTimer.unref();
    this.emit('connected');
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.healthTimer);
    const wasConnected = this.connected;
    this.connected = false;
    client.end().catch(() => undefined);
    if (wasConnected) this.emit('disconnected');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** this.failures);
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((err: unknown) => this.logger.warn({ err }, 'listener reconnect failed'));
    }, delay);
    this.reconnectTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.healthTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (client) await client.end().catch(() => undefined);
  }
}
