/** A typed event emitter small enough for the browser bundle: `on` answers its own unsubscribe. */
export class Emitter<Events extends Record<string, unknown>> {
  private listeners: { [K in keyof Events]?: Set<(value: Events[K]) => void> } = {};

  on<K extends keyof Events>(type: K, listener: (value: Events[K]) => void): () => void {
    const set = (this.listeners[type] ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of this.listeners[type] ?? []) listener(value);
  }
}
