/**
 * The in-memory broker: instances in one process share it (a single instance, or several in a
 * test). Delivery is synchronous, in publish order.
 */
import type { Broker, BrokerHandler, BrokerMessage } from './broker.js';

export class MemoryBroker implements Broker {
  private readonly handlers = new Set<BrokerHandler>();

  publish(message: BrokerMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  subscribe(handler: BrokerHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** One process: every subscriber gets every channel. */
  follow(): Promise<void> {
    return Promise.resolve();
  }

  unfollow(): void {}

  /** In one process the subscription never drops, so `handler` never runs. */
  onSubscribed(_handler: () => void): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}
