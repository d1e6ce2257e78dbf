/**
 * The unread notifications count the navigation shows: set by the live connection's `ready`, one
 * more for each live notification, and read again after the notifications page marks them read.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { onLive } from './live.js';

let count = 0;
// Each read or change takes a number: an answer older than the latest one is dropped, so a read
// begun before marking them read cannot bring back the old count.
let generation = 0;
const listeners = new Set<(count: number) => void>();

function set(value: number): void {
  count = value;
  for (const listener of listeners) listener(count);
}

/** Reads the count again; a failure keeps the one shown (the page says what failed, if anything). */
export function refreshUnreadNotifications(): void {
  const mine = ++generation;
  api.unreadNotifications().then(
    (answer) => {
      if (mine === generation) set(answer.count);
    },
    () => undefined,
  );
}

/** The count as last read. */
export function useUnreadNotifications(): number {
  const [value, setValue] = useState(count);
  useEffect(() => {
    listeners.add(setValue);
    setValue(count);
    return () => listeners.delete(setValue);
  }, []);
  return value;
}

// The live connection keeps the count for the app's whole life: `ready` sets it (and makes any
// read under way stale), each new notification adds one.
onLive('ready', ({ unreadNotifications }) => {
  generation += 1;
  set(unreadNotifications);
});
onLive('notification', (notification) => {
  if (!notification.read) set(count + 1);
});

/** Logged out: the next person starts from nothing, and no read under way lands. */
export function forgetUnreadNotifications(): void {
  generation += 1;
  set(0);
}
