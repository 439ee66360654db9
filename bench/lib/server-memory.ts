import { BENCH_METRICS_TOKEN } from './server-process';

/** Readings of a server's memory, from its own `/metrics` (prom-client's default process metrics). */
export interface ServerMemory {
  /** `nodejs_heap_size_used_bytes`: the JavaScript heap in use. */
  heapUsedBytes: number;
  /** `process_resident_memory_bytes`: what the process holds in RAM (heap, code, buffers, native libraries). */
  residentBytes: number;
}

/** Reads of {@link readServerMemory}: their median is what counts, a single reading is noisy. */
const READINGS = 5;

/**
 * The median of {@link READINGS} readings of the server's memory, each after a full garbage collection when
 * `collectGarbage` is given (a server started with the inspector): without it the heap counts garbage that the next
 * collection would free.
 */
export async function readServerMemory(server: { baseUrl: string; collectGarbage?: () => Promise<void> }): Promise<ServerMemory> {
  const heap: number[] = [];
  const resident: number[] = [];
  for (let i = 0; i < READINGS; i++) {
    await server.collectGarbage?.();
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` }, signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    heap.push(metricValue(text, 'nodejs_heap_size_used_bytes', response.status));
    resident.push(metricValue(text, 'process_resident_memory_bytes', response.status));
    // Apart, so that the readings are not of one moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { heapUsedBytes: median(heap), residentBytes: median(resident) };
}

function metricValue(exposition: string, name: string, status: number): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(exposition);
  if (!match) throw new Error(`GET /metrics (HTTP ${status}) has no ${name}`);
  return Number(match[1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Bytes as MiB with one decimal, for the report. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
