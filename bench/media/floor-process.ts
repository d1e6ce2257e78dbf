/**
 * The image floor (image-floor.ts) in a process of its own, so that its peak memory is the image
 * work's alone, as the service's is measured. Arguments: the picture's file, pictures, at once.
 */
import { tellParent } from '../lib/child-reply.js';
import { peakRssMiB, rssMiB } from '../lib/process-stats.js';
import { measureImageFloor, type FloorMessage } from './image-floor.js';

const [file, pictures, concurrent] = process.argv.slice(2);
const tell = (message: FloorMessage) => tellParent(message);

async function main(): Promise<void> {
  const rssBeforeMiB = rssMiB(process.pid);
  const result = await measureImageFloor(file!, Number(pictures), Number(concurrent));
  await tell({ type: 'floor', ...result, rssBeforeMiB, peakRssMiB: peakRssMiB(process.pid) });
}

main()
  .catch((err: unknown) => tell({ type: 'failed', message: String(err) }))
  .finally(() => process.disconnect());
