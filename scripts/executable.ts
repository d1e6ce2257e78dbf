/** Whether a file may be run, for the probes that look for a tool the tests need (nginx, Chromium). */
import { accessSync, constants } from 'node:fs';

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
