/** The mail auth-service wrote for the stack (one `.eml` file each), read as its recipient would. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { linkIn, parseMail } from '@murmur/auth-service/testing';
import { eventually } from '@murmur/shared/testing';
import { WAIT_MS } from './browser.js';

/**
 * The `/<page>?token=…` link in the newest mail to `to` that has one, waiting until it is written.
 * Files are named by the time they were written, so the newest sorts last.
 */
export function mailedLink(mailDir: string, to: string, page: 'reset-password' | 'verify-email'): Promise<URL> {
  return eventually(async () => {
    const files = (await readdir(mailDir)).filter((file) => file.endsWith('.eml')).sort().reverse();
    for (const file of files) {
      const mail = parseMail(await readFile(path.join(mailDir, file), 'utf8'));
      if (mail.to.includes(to) && mail.text.includes(`/${page}?token=`)) return linkIn(mail, page);
    }
    throw new Error(`no mail to ${to} with a /${page} link in ${mailDir} yet`);
  }, WAIT_MS);
}
