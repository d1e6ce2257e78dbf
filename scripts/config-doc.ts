/**
 * docs/configuration.md, rendered from the config schemas the services validate their environment
 * with: each variable's meaning is its `.describe()`, its default the schema's own. The variables
 * that `npm start`, `npm test` and `npm run bench` read are kept by hand below; a test holds that
 * list to the scripts that read them. `npm run docs:config` writes the file; a test fails when it
 * differs from what this renders.
 */
import { envSchema as authEnv, PEM_KEY_ENV as AUTH_KEY_ENV } from '@murmur/auth-service/config';
import { envSchema as gatewayEnv } from '@murmur/gateway/config';
import { envSchema as userEnv, PEM_KEY_ENV as USER_KEY_ENV } from '@murmur/user-service/config';
import { envSchema as wsEnv, PEM_KEY_ENV as WS_KEY_ENV } from '@murmur/ws-service/config';
import type { z } from 'zod';

/** Where the rendered document lives, from the repository's root. */
export const CONFIGURATION_DOC = 'docs/configuration.md';
/** The command that writes it. */
export const CONFIGURATION_COMMAND = 'npm run docs:config';

type Reader = 'auth' | 'user' | 'ws' | 'gateway';

interface ConfigSource {
  reader: Reader;
  title: string;
  schema: { shape: Record<string, z.ZodType> };
  /** The PEM key read beside the schema (inline, or `<NAME>_FILE` a path). */
  pemKey?: string;
}

const SOURCES: ConfigSource[] = [
  { reader: 'auth', title: 'auth-service', schema: authEnv, pemKey: AUTH_KEY_ENV },
  { reader: 'user', title: 'user-service', schema: userEnv, pemKey: USER_KEY_ENV },
  { reader: 'ws', title: 'ws-service', schema: wsEnv, pemKey: WS_KEY_ENV },
  { reader: 'gateway', title: 'gateway', schema: gatewayEnv },
];

/** What each PEM key is; a service that reads a key missing here fails the rendering. */
const PEM_KEYS: Record<string, string> = {
  JWT_PRIVATE_KEY: 'RSA private key that signs the tokens: PEM inline, or `JWT_PRIVATE_KEY_FILE` its path',
  JWT_PUBLIC_KEY: 'RSA public key that verifies the tokens: PEM inline, or `JWT_PUBLIC_KEY_FILE` its path',
};

/**
 * Defaults that are not worth printing as the schema holds them: the gateway's default build
 * folder is an absolute path computed on the machine it runs on.
 */
const DEFAULT_SHOWN: Record<string, string> = {
  WEB_DIST_DIR: '`web/dist` of the repository',
};

export interface ScriptVariable {
  name: string;
  usedBy: string;
  default: string;
  meaning: string;
}

/** Variables read by the repository's scripts rather than by a service's config schema. */
export const SCRIPT_VARIABLES: readonly ScriptVariable[] = [
  {
    name: 'DATABASE_URL',
    usedBy: '`npm start`, `npm run migrate`, `npm run admin`',
    default: '`npm start`: an embedded PostgreSQL; `npm run migrate` and `npm run admin`: required',
    meaning: 'the database `npm start` runs the services on (migrated first), `npm run migrate` migrates, or `npm run admin` changes roles on',
  },
  {
    name: 'GATEWAY_PORT',
    usedBy: '`npm start`',
    default: '8080',
    meaning:
      "port `npm start` gives the gateway; with another port (and no `ALLOWED_ORIGINS` of yours) it adds that origin to the services' `ALLOWED_ORIGINS`",
  },
  { name: 'AUTH_PORT', usedBy: '`npm start`', default: '8081', meaning: 'port `npm start` gives auth-service' },
  { name: 'USER_PORT', usedBy: '`npm start`', default: '8082', meaning: 'port `npm start` gives user-service' },
  { name: 'WS_PORT', usedBy: '`npm start`', default: '8083', meaning: 'port `npm start` gives ws-service' },
  { name: 'EMBEDDED_PG_PORT', usedBy: '`npm start`', default: '54329', meaning: 'port of the embedded PostgreSQL' },
  {
    name: 'TEST_DATABASE_URL',
    usedBy: '`npm test`',
    default: 'embedded',
    meaning: 'server on which the test database is created (and dropped after the run)',
  },
  {
    name: 'TEST_REDIS_URL',
    usedBy: '`npm test`',
    default: '`redis://127.0.0.1:6379` if it answers',
    meaning:
      'Redis for the tests of ws-service across instances; when set it must answer (CI sets it); when unset and none answers, those tests are left out with a notice',
  },
  {
    name: 'TEST_REDIS_CLUSTER_NODES',
    usedBy: '`npm test`',
    default: 'a three-master cluster started for the run',
    meaning:
      'Redis Cluster masters (`host:port,…`) for the tests of ws-service on a cluster; unset, the runner starts one with `redis-server` (`scripts/redis-cluster.ts`); with `CI=true` a missing `redis-server` fails the run, elsewhere those tests are left out with a notice',
  },
  {
    name: 'TEST_NGINX',
    usedBy: '`npm test`',
    default: '`nginx` on `PATH` or in `/usr/sbin`',
    meaning:
      "nginx binary for the production gateway's test; when set it must run; with `CI=true` a missing nginx fails the run, elsewhere that test is left out with a notice",
  },
  {
    name: 'TEST_CHROMIUM',
    usedBy: '`npm test`',
    default: "Debian's `/usr/bin/chromium`",
    meaning:
      'Chromium for the end-to-end tests; when set it must run; with `CI=true` a missing Chromium fails the run, elsewhere those tests are left out with a notice',
  },
  {
    name: 'CI',
    usedBy: '`npm test`',
    default: 'unset',
    meaning: '`true` (as `.ci/run` runs): the tests that need nginx or Chromium cannot be left out',
  },
  {
    name: 'BENCH_DATABASE_URL',
    usedBy: '`npm run bench`',
    default: 'embedded',
    meaning: 'server on which the benchmark creates (and drops) its database',
  },
  {
    name: 'BENCH_NGINX',
    usedBy: '`npm run bench`',
    default: '`nginx` on PATH or in /usr/sbin',
    meaning: 'the nginx binary the picture-serving benchmark runs (the production gateway and the static-file baseline); without one those rows are left out',
  },
  {
    name: 'BENCH_REDIS_URL',
    usedBy: '`npm run bench`',
    default: '`redis://127.0.0.1:6379`',
    meaning: 'Redis of the two-instance scenario, which is left out with a notice when none answers',
  },
];

interface Row {
  name: string;
  readers: Reader[];
  defaults: Map<Reader, string>;
  meaning: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function showValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `\`${String(item)}\``).join(', ');
  if (typeof value === 'string' || typeof value === 'boolean') return `\`${String(value)}\``;
  return String(value);
}

/** The default a variable takes when unset, as the schema itself computes it. */
function defaultOf(name: string, schema: z.ZodType): string {
  if (DEFAULT_SHOWN[name]) return DEFAULT_SHOWN[name];
  const unset = schema.safeParse(undefined);
  if (!unset.success) return '— (required)';
  return unset.data === undefined ? '— (unset)' : showValue(unset.data);
}

function collectRows(): Row[] {
  const rows = new Map<string, Row>();
  const add = (name: string, reader: Reader, shownDefault: string, meaning: string) => {
    const row: Row = rows.get(name) ?? { name, readers: [], defaults: new Map(), meaning };
    if (row.meaning !== meaning) throw new Error(`${name} has two meanings: "${row.meaning}" and "${meaning}"`);
    row.readers.push(reader);
    row.defaults.set(reader, shownDefault);
    rows.set(name, row);
  };
  for (const { reader, schema, pemKey } of SOURCES) {
    for (const [name, field] of Object.entries(schema.shape)) {
      if (!field.description) throw new Error(`${name} (${reader}) has no .describe(): say what it is for`);
      add(name, reader, defaultOf(name, field), field.description);
    }
    if (pemKey) {
      const meaning = PEM_KEYS[pemKey];
      if (!meaning) throw new Error(`${pemKey} (${reader}) is missing from PEM_KEYS in scripts/config-doc.ts`);
      add(pemKey, reader, '— (required)', meaning);
    }
  }
  return [...rows.values()];
}

const SERVICES: Reader[] = ['auth', 'user', 'ws'];

function usedBy(readers: Reader[]): string {
  const all = SERVICES.every((r) => readers.includes(r));
  const named = readers.filter((r) => !(all && SERVICES.includes(r)));
  return [...(all ? ['all'] : []), ...named].join(', ');
}

function shownDefault(row: Row): string {
  const values = [...new Set(row.defaults.values())];
  if (values.length === 1) return values[0]!;
  return [...row.defaults].map(([reader, value]) => `${reader} ${value}`).join(' / ');
}

function table(rows: { name: string; usedBy: string; default: string; meaning: string }[]): string {
  const lines = ['| Variable | Used by | Default | Meaning |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.name}\` | ${cell(row.usedBy)} | ${cell(row.default)} | ${cell(row.meaning)} |`);
  return lines.join('\n');
}

interface Section {
  title: string;
  intro: string;
  rows: Row[];
}

/** Rows grouped: those every HTTP process reads, those every service reads, then each reader's own. */
function sections(rows: Row[]): Section[] {
  const everyProcess = (row: Row) => row.readers.length === SOURCES.length;
  const everyService = (row: Row) => !everyProcess(row) && SERVICES.every((r) => row.readers.includes(r));
  const result: Section[] = [
    { title: 'Every process that serves HTTP', intro: 'The three services and the gateway.', rows: rows.filter(everyProcess) },
    { title: 'Every service', intro: 'auth-service, user-service and ws-service.', rows: rows.filter(everyService) },
  ];
  for (const { reader, title } of SOURCES) {
    const own = rows.filter((row) => !everyProcess(row) && !everyService(row) && row.readers[0] === reader);
    if (own.length > 0) result.push({ title, intro: '', rows: own });
  }
  return result;
}

/** The whole of docs/configuration.md. */
export function renderConfigurationDoc(): string {
  const parts: string[] = [
    '# Configuration',
    '',
    `<!-- Generated by \`${CONFIGURATION_COMMAND}\` (scripts/config-doc.ts) from the config schemas.`,
    "Edit the schemas' .describe() or the script's table, then run the command; a test fails while",
    'they differ. -->',
    '',
    'Each service (and the gateway) reads its environment once at boot, in its `config.ts`',
    '(`auth-service/src/config.ts`, `user-service/src/config.ts`, `ws-service/src/config.ts`,',
    '`gateway/src/config.ts`; the variables they share are in `shared/src/config.ts`), and stops',
    'with a message naming any bad variable (exit code 78). "all" is the three services; the',
    'gateway reads the rows that name it. The scripts read the variables of the last table.',
    '',
    '- [The services and the gateway](#the-services-and-the-gateway)',
    '- [npm start, npm test and npm run bench](#npm-start-npm-test-and-npm-run-bench)',
    '- [Signing keys in production](#signing-keys-in-production)',
    '',
    '## The services and the gateway',
  ];
  for (const section of sections(collectRows())) {
    parts.push('', `### ${section.title}`, '');
    if (section.intro) parts.push(section.intro, '');
    parts.push(table(section.rows.map((row) => ({ name: row.name, usedBy: usedBy(row.readers), default: shownDefault(row), meaning: row.meaning }))));
  }
  parts.push(
    '',
    '## npm start, npm test and npm run bench',
    '',
    'Read by the scripts in `scripts/` and `bench/`, not by the services.',
    '',
    table(SCRIPT_VARIABLES.map((v) => ({ ...v }))),
    '',
    '## Signing keys in production',
    '',
    '`npm start` generates development keys under `.data/keys`. In production, generate the key',
    'pair once and give the private key to auth-service only:',
    '',
    '```',
    'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/jwt-private.pem',
    'openssl pkey -in keys/jwt-private.pem -pubout -out keys/jwt-public.pem',
    '```',
    '',
    '`docker-compose.yml` reads them from `./keys` (see [operations](operations.md)).',
    '',
  );
  return parts.join('\n');
}
