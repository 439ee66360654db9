/**
 * The API server exactly as `src/main.ts` starts it, but with {@link plaintextCipher} in place of the key ring's
 * AES-256-GCM: the other side of the checkout benchmark's "with encryption against without". Run only by the
 * benchmark, from its own build (`dist-bench/bench/lib/server-without-encryption.js`).
 */
// The same first imports as src/main.ts, so that the two servers differ in their cipher only.
import '../../src/compile-cache';
import '../../src/tracing-start';
import 'reflect-metadata';
import { runMain } from '../../src/process-lifecycle';
import { startServer } from '../../src/start-server';
import { plaintextCipher } from './plaintext-cipher';

runMain(() => startServer({ personalDataCipher: plaintextCipher }));
