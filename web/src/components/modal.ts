/**
 * A <dialog> shown modal for as long as the component that holds it is mounted: the page behind
 * it is inert, Escape closes it (its `close` event tells the owner to unmount it), its
 * `autofocus` element takes the focus, and the focus goes back where it was when it goes.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function useModal(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.showModal();
    return () => opener?.focus();
  }, []);
  return dialog;
}
