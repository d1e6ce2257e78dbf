/**
 * A QR code's dark modules as one SVG path, a unit square each, so the code is drawn in the page
 * from the otpauth URL itself: the secret never goes to an image service or leaves the browser.
 */
export function qrPath(modules: readonly (readonly boolean[])[]): string {
  let path = '';
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return path;
}
