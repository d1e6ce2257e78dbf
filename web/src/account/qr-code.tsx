/**
 * A QR code drawn locally as SVG, black on white whatever the colour scheme. Its encoder (uqr) is
 * loaded only when a code is first shown: few people set up an authenticator app, and none of
 * them on their first page.
 */
import { useEffect, useState } from 'preact/hooks';
import { qrPath } from './qr-path.js';

/** Four modules of white around the code: the quiet zone scanners need to find it. */
const QUIET_ZONE_MODULES = 4;

interface Drawing {
  size: number;
  path: string;
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const [drawing, setDrawing] = useState<Drawing | 'failed'>();

  useEffect(() => {
    let current = true;
    import('uqr').then(
      ({ encode }) => {
        const { data } = encode(text, { ecc: 'M', border: QUIET_ZONE_MODULES });
        if (current) setDrawing({ size: data.length, path: qrPath(data) });
      },
      () => current && setDrawing('failed'),
    );
    return () => {
      current = false;
    };
  }, [text]);

  if (drawing === 'failed') return <p class="alert">The QR code could not be drawn: type the key below into your app instead.</p>;
  if (!drawing) return <div class="qr" aria-busy="true" />;
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${drawing.size} ${drawing.size}`} shape-rendering="crispEdges">
      <rect width={drawing.size} height={drawing.size} fill="#fff" />
      <path d={drawing.path} fill="#000" />
    </svg>
  );
}
