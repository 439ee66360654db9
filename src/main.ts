import 'reflect-metadata';
import { runMain } from './process-lifecycle';
import { startServer } from './start-server';

/** `npm start`: the server with the configured key ring (see `start-server.ts`). */
runMain(() => startServer());
