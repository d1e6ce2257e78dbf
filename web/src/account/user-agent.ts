/**
 * A session's device in plain words ("Firefox on Windows") from the User-Agent it logged in
 * with, so its owner can tell their sessions apart. A guess from a string any client may set:
 * good enough to recognise one's own devices, never evidence of what a device is.
 */

/** Browsers by the token that names them; earlier entries win, as many claim to be the later ones. */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

/** Systems, the same way: Android and ChromeOS say Linux too, iPhones say "like Mac OS X". */
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const find = (table: ReadonlyArray<[RegExp, string]>, userAgent: string) => table.find(([pattern]) => pattern.test(userAgent))?.[1];

/** "Chrome on Android", "Safari", "Windows", a program's own name ("curl"), or "Unknown device". */
export function describeUserAgent(userAgent: string | null): string {
  const text = userAgent?.trim();
  if (!text) return 'Unknown device';
  const browser = find(BROWSERS, text);
  const system = find(SYSTEMS, text);
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? programName(text) ?? 'Unknown device';
}

/** Not a browser: a program that names itself first, as in "curl/8.5.0". */
function programName(userAgent: string): string | undefined {
  const name = /^([A-Za-z][\w.-]{0,39})\//.exec(userAgent)?.[1];
  return name === 'Mozilla' ? undefined : name;
}
