/** Paths inside the repository, resolved from this script's compiled location (dist-tools/scripts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Local state of `npm start`: the embedded database and development keys. Git-ignored. */
export const DATA_DIR = path.join(REPO_ROOT, '.data');
export const SERVICES = ['auth-service', 'user-service', 'ws-service'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The development gateway: the web client and the services' APIs on one port. */
export const GATEWAY = 'gateway';
/** Every package `npm start` runs as its own process. */
export type ProcessName = ServiceName | typeof GATEWAY;
