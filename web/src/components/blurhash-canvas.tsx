/**
 * A picture's blurred placeholder: its blurhash drawn on a small canvas, which CSS stretches over
 * the picture's space until the picture covers it. Decorative: screen readers skip it.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import { decode, isBlurhashValid } from 'blurhash';

/** Pixels per side the hash is drawn at: it is blurred anyway, and stretching it is free. */
const SIDE = 32;

export function BlurhashCanvas({ hash }: { hash: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const context = canvas.current?.getContext('2d');
    // A hash that does not decode leaves the plain background of the picture's space.
    if (!context || !isBlurhashValid(hash).result) return;
    const pixels = context.createImageData(SIDE, SIDE);
    pixels.data.set(decode(hash, SIDE, SIDE));
    context.putImageData(pixels, 0, 0);
  }, [hash]);
  return <canvas ref={canvas} class="blurhash" width={SIDE} height={SIDE} aria-hidden="true" />;
}
