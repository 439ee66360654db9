import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InspectorSession } from './inspector';

/** A V8 CPU profile (`Profiler.stop`'s `profile`, the `.cpuprofile` format). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Sampling interval of the fan-out's profiles, in microseconds (V8's default is 1 000). */
const SAMPLING_INTERVAL_US = 200;

/** Something that can be profiled: a process through its inspector, or this one. */
interface Profiler {
  start(): Promise<void>;
  stop(): Promise<CpuProfile>;
}

/** Profiles another node process through its inspector session. */
export function remoteProfiler(session: InspectorSession): Profiler {
  return {
    async start() {
      await session.call('Profiler.enable');
      await session.call('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await session.call('Profiler.start');
    },
    async stop() {
      const { profile } = await session.call<{ profile: CpuProfile }>('Profiler.stop');
      await session.call('Profiler.disable');
      return profile;
    },
  };
}

/** Profiles this process (the load generator). */
export function ownProfiler(): Profiler {
  const session = new Session();
  return {
    async start() {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await session.post('Profiler.start');
    },
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await session.post('Profiler.disable');
      session.disconnect();
      return profile as unknown as CpuProfile;
    },
  };
}

/** Where a function's time is counted, by its script and name: the parts of a fan-out named in issue #16. */
function categoryOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url === '') return functionName === 'stringify' ? 'JSON.stringify' : functionName === 'parse' ? 'JSON.parse' : `builtin ${functionName || '(anonymous)'}`;
  if (url.includes('/node_modules/graphql-ws/')) return 'graphql-ws';
  if (url.includes('/node_modules/graphql/')) return 'graphql-js (execute)';
  if (url.includes('/node_modules/ws/')) return 'ws (frames, send)';
  if (url.includes('/node_modules/type-graphql/') || url.includes('/node_modules/graphql-shield/') || url.includes('/node_modules/graphql-middleware/'))
    return 'type-graphql / shield';
  if (url.includes('/node_modules/@mikro-orm/') || url.includes('/node_modules/knex/')) return 'MikroORM';
  if (url.includes('/node_modules/pg') || url.includes('/node_modules/pg-protocol/')) return 'pg driver';
  if (url.includes('/node_modules/@redis/') || url.includes('/node_modules/redis/')) return 'redis';
  if (url.includes('/node_modules/pino')) return 'logging';
  if (url.includes('/node_modules/')) return `lib ${url.split('/node_modules/').pop()!.split('/')[0]}`;
  if (url.startsWith('node:net') || url.startsWith('node:internal/stream_base') || url.startsWith('node:internal/net')) return 'node net (socket I/O)';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:stream')) return 'node streams';
  if (url.startsWith('node:internal/process/task_queues') || url.startsWith('node:internal/async_hooks') || url.startsWith('node:internal/timers'))
    return 'node event loop (ticks, timers, promise hooks)';
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/').slice(0, 2).join('/')}`;
  if (url.includes('/bench/')) return 'bench client';
  if (url.includes('/src/')) return `app ${url.split('/src/').pop()}`;
  return url;
}

export interface ProfileSummary {
  /** Wall time the profile covers, in ms. */
  wallMs: number;
  /** Busy (not idle) time, in ms. */
  busyMs: number;
  /** Self time by category, in ms, largest first. */
  categories: [string, number][];
  /** Self time by function, in ms, largest first (the first `topFunctions`). */
  functions: [string, number][];
}

/** Self time by category and by function: each sample's interval is counted to the function on top of the stack. */
export function summariseProfile(profile: CpuProfile, topFunctions = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    // The delta before the next sample is the time this one stands for.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const category = categoryOf(functionName, url);
    if (category === 'idle') idle += us;
    categories.set(category, (categories.get(category) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist-bench)\//, '')}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  });
  const ms = (entries: Map<string, number>) => [...entries].map(([key, us]): [string, number] => [key, us / 1000]).sort((a, b) => b[1] - a[1]);
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  return { wallMs, busyMs: wallMs - idle / 1000, categories: ms(categories), functions: ms(functions).slice(0, topFunctions) };
}

/** The summary as lines of text: categories with their share of busy time, then the busiest functions. */
export function formatSummary(title: string, summary: ProfileSummary): string {
  const lines = [`${title}: ${summary.wallMs.toFixed(0)} ms profiled, ${summary.busyMs.toFixed(0)} ms busy`];
  for (const [category, ms] of summary.categories) {
    if (category === 'idle') continue;
    lines.push(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %  ${category}`);
  }
  lines.push('  busiest functions (self time):');
  for (const [name, ms] of summary.functions) lines.push(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
  return lines.join('\n');
}

/** Writes `profile` as `<dir>/<name>.cpuprofile` (open it in Chrome's DevTools or speedscope); returns the path. */
export function saveProfile(dir: string, name: string, profile: CpuProfile): string {
  const path = join(dir, `${name}.cpuprofile`);
  writeFileSync(path, JSON.stringify(profile));
  return path;
}
