/**
 * Search cannot stall chat: the many-rooms load on the search scenario's database (millions of
 * messages), measured in phases of one run on one ws-service. First nobody searches. Then
 * `searchers` clients search its messages in a loop (GET /ws/search, on the same service and
 * database), each taking in turn the queries no index can bound: nothing every match must hold,
 * a phrase of two common words that never meets, as many or'ed words as `q` holds; meanwhile one
 * more client searches as a person does (a rare word, then a common one, one search at a time).
 * Last, as many clients ask the service GET /healthz in a loop instead: the floor, what any flood
 * of requests on the chat process costs chat, search or not. Chat's delivery p99 in each phase
 * is compared with the phase where nobody searches; every search's answer time is compared with
 * the search deadline, and the answers are counted by code (answered, refused, busy, timed out).
 */
import type { BenchEnv } from '../lib/bench-env.js';
import { createAgent, request } from '../lib/http-client.js';
import type { ResultRow } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { runGenerators } from '../fanout/generator-run.js';
import { orderVerdict } from '../fanout/load-rows.js';
import type { GeneratorReport } from '../fanout/protocol.js';
import { startMurmur } from '../fanout/servers.js';
import { buildSearchData, COMMON_WORD, RARE_HITS, RARE_WORDS, SECOND_COMMON_WORD, type SearchData, type SearchDataShape } from '../search/data.js';
import { BENCH_SEARCH_LIMITS_ENV } from '../search/limits.js';

export interface SearchLoadOptions {
  /** The database searched: the search scenario's, reused when that scenario ran first. */
  data: SearchDataShape;
  /** The many-rooms load: clients, in rooms of `roomSize`, sending `perSecond` messages in all. */
  connections: number;
  roomSize: number;
  perSecond: number;
  /** Each measured phase. */
  durationMs: number;
  /** A first phase, not reported: connections settle and the service warms up. */
  warmupMs: number;
  /** Clients sending adversarial searches in a loop (and then health checks). */
  searchers: number;
}

/** The services' default search deadline, given to them explicitly: every answer is held to it. */
const SEARCH_TIMEOUT_MS = 1_000;
/** Chat's delivery p99 with the searches against without them, at most. */
const P99_WITHIN = 1.1;
/** Connections opened at once while connecting, as many-rooms does. */
const CONNECT_BATCH = 200;
const PAGE_SIZE = 20;

/** Forty one-letter words: or'ed, as many words as the 200 characters of `q` hold. */
const ONE_LETTER_WORDS = [...'abcdefghijklmnopqrstuvwxyz', ...'αβγδεζηθικλμνξ'];

/** A request the looping clients send: what its row calls it, and its path for the i-th request. */
interface Request {
  name: string;
  path: (i: number) => string;
}

const search = (name: string, q: (i: number) => string): Request => ({
  name: `GET /ws/search, ${name}`,
  path: (i) => `/ws/search?q=${encodeURIComponent(q(i))}&limit=${PAGE_SIZE}`,
});

const ADVERSARIAL: Request[] = [
  search(`nothing every match must hold (-${COMMON_WORD})`, () => `-${COMMON_WORD}`),
  search(`a phrase of two common words ("${COMMON_WORD} ${SECOND_COMMON_WORD}": each in 10% of messages, never side by side)`, () => `"${COMMON_WORD} ${SECOND_COMMON_WORD}"`),
  search(`${ONE_LETTER_WORDS.length} words or'ed (as many as 200 characters hold)`, () => ONE_LETTER_WORDS.join(' or ')),
];
const ORDINARY: Request[] = [
  search(`a person's search meanwhile: a rare word (${RARE_HITS} messages)`, (i) => RARE_WORDS[i % RARE_WORDS.length]!),
  search("a person's search meanwhile: a word in 10% of messages", () => COMMON_WORD),
];
const HEALTH_CHECKS: Request[] = [{ name: 'GET /healthz', path: () => '/healthz' }];

/** Clients that send `requests` in a loop, each taking them in turn. */
interface Loop {
  clients: number;
  requests: Request[];
}

/** One answer: its status, its error code (`OK` for a success), how long it took. */
interface Answer {
  status: number;
  code: string;
  ms: number;
}

/** What a loop's clients got: every answer, by request, over `seconds`. */
interface LoopResult {
  loop: Loop;
  answers: Answer[][];
  seconds: number;
}

const codeOf = (status: number, body: string): string => (status === 200 ? 'OK' : (JSON.parse(body) as { error: { code: string } }).error.code);

/** Runs `loop` against `url` until `stop` is aborted; client k starts at request k. */
async function runLoop(url: string, token: string, loop: Loop, stop: AbortSignal): Promise<LoopResult> {
  const agent = createAgent(loop.clients);
  const answers: Answer[][] = loop.requests.map(() => []);
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: loop.clients }, async (_, client) => {
        for (let i = client; !stop.aborted; i += 1) {
          const k = i % loop.requests.length;
          const sent = performance.now();
          const res = await request(agent, 'GET', `${url}${loop.requests[k]!.path(i)}`, { authorization: `Bearer ${token}` });
          answers[k]!.push({ status: res.status, code: codeOf(res.status, res.body), ms: performance.now() - sent });
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { loop, answers, seconds: (performance.now() - started) / 1000 };
}

const count = (n: number) => Math.round(n).toLocaleString('en');

/** "312 × 400 SEARCH_QUERY_TOO_BROAD, 4 × 503 SEARCH_BUSY": the answers by status and code. */
function tally(answers: Answer[]): string {
  const byCode = new Map<string, number>();
  for (const { status, code } of answers) byCode.set(`${status} ${code}`, (byCode.get(`${status} ${code}`) ?? 0) + 1);
  return [...byCode].map(([code, n]) => `${count(n)} × ${code}`).join(', ');
}

/** Every message sent reached every member of its room, in seq order, with no error. */
function deliveredInOrder(report: GeneratorReport, roomSize: number): { ok: boolean; note: string } {
  const order = orderVerdict(report.order);
  const expected = report.sent * roomSize;
  const ok = report.deliveries >= expected && report.errors === 0 && order.ok;
  return { ok, note: `${count(report.sent)} messages, ${count(report.deliveries)} deliveries of ${count(expected)}, ${count(report.errors)} errors; ${order.note}` };
}

/** A row per request of `result`: its rate, answer times against the deadline, and answers by code. */
function searchRows(scenario: string, result: LoopResult): ResultRow[] {
  return result.loop.requests.map((req, k) => {
    const times = result.answers[k]!.map((answer) => answer.ms);
    const summary = summarize(times);
    const maxMs = Math.max(...times);
    return {
      scenario,
      subject: req.name,
      throughputPerSecond: times.length / result.seconds,
      unit: 'req/s',
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      notes: [`slowest answer ${maxMs.toFixed(1)} ms; ${tally(result.answers[k]!)}`],
      goal: `every answer within SEARCH_TIMEOUT_MS (${count(SEARCH_TIMEOUT_MS)} ms)`,
      goalMet: maxMs <= SEARCH_TIMEOUT_MS,
    };
  });
}

export async function searchLoadScenario(env: BenchEnv, options: SearchLoadOptions, built?: SearchData): Promise<ResultRow[]> {
  const data = built ?? (await buildSearchData(env, options.data));
  const token = await env.issueToken(data.searcher);
  const rooms = options.connections / options.roomSize;
  const server = await startMurmur(env, {
    users: options.connections,
    rooms,
    // A busy search pool answers 503, which the service logs as a warning: thousands of lines here.
    env: { ...BENCH_SEARCH_LIMITS_ENV, SEARCH_TIMEOUT_MS: String(SEARCH_TIMEOUT_MS), LOG_LEVEL: 'error' },
  });
  const httpUrl = server.urls[0]!.replace(/^ws/, 'http');
  /** The loops of each phase: none (warm-up, then the reference), the searches, the health checks. */
  const phases: Loop[][] = [
    [],
    [],
    [
      { clients: options.searchers, requests: ADVERSARIAL },
      { clients: 1, requests: ORDINARY },
    ],
    [{ clients: options.searchers, requests: HEALTH_CHECKS }],
  ];
  let running: Array<Promise<LoopResult>> = [];
  const results: LoopResult[][] = [];
  let stop = new AbortController();
  let reports: GeneratorReport[];
  try {
    reports = await runGenerators(
      server,
      { connections: options.connections, rooms, senders: options.connections, sampleEvery: options.roomSize, connectBatch: CONNECT_BATCH },
      phases.map((_, index) => ({
        messagesPerSecondPerSender: options.perSecond / options.connections,
        durationMs: index === 0 ? options.warmupMs : options.durationMs,
        schedule: 'independent',
      })),
      {
        onPhaseStart: (index) => {
          stop = new AbortController();
          running = phases[index]!.map((loop) => runLoop(httpUrl, token, loop, stop.signal));
        },
        onPhaseEnd: async (index) => {
          stop.abort();
          results[index] = await Promise.all(running);
        },
      },
    );
  } finally {
    stop.abort();
    await Promise.allSettled(running);
    await server.stop();
  }

  const scenario = `search under load: ${count(options.connections)} clients in rooms of ${options.roomSize}, ${count(options.perSecond)} messages/s in all, on ${count(data.counts.messages)} messages`;
  const chatRow = (report: GeneratorReport, subject: string): ResultRow => ({
    scenario,
    subject,
    throughputPerSecond: report.deliveries / (options.durationMs / 1000),
    unit: 'deliveries/s',
    p50Ms: report.latency.p50Ms,
    p99Ms: report.latency.p99Ms,
    notes: [deliveredInOrder(report, options.roomSize).note],
  });
  const [, alone, searching, checking] = reports;
  const without = chatRow(alone!, 'baseline: murmur ws-service, nobody searching');
  const withSearches = chatRow(searching!, `murmur ws-service, ${options.searchers} clients sending adversarial searches in a loop meanwhile`);
  const floor = chatRow(checking!, `floor: murmur ws-service, ${options.searchers} clients asking it GET /healthz in a loop meanwhile`);
  for (const [row, loops] of [
    [withSearches, results[2]!],
    [floor, results[3]!],
  ] as const) {
    const all = loops.flatMap((result) => result.answers.flat());
    const seconds = loops[0]!.seconds;
    row.ratio = row.p99Ms! / without.p99Ms!;
    row.ratioOf = 'delivery p99 vs the same load with nobody searching';
    row.notes!.push(`${count(all.length)} requests meanwhile (${(all.length / seconds).toFixed(0)}/s): ${tally(all)}`);
  }
  withSearches.goal = `every message delivered in order; delivery p99 within ${Math.round((P99_WITHIN - 1) * 100)}% of the phase with nobody searching`;
  withSearches.goalMet = deliveredInOrder(searching!, options.roomSize).ok && withSearches.ratio! <= P99_WITHIN;

  return [withSearches, without, floor, ...results[2]!.flatMap((result) => searchRows(`${scenario}: the searches meanwhile`, result))];
}
