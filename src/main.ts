// First: the compile cache, then tracing, which patches http, express, graphql, pg and redis as they are loaded.
import './compile-cache';
import './tracing-start';
import 'reflect-metadata';
import { runMain } from './process-lifecycle';
import { startServer } from './start-server';

/** `npm start`: the server with the configured key ring (see `start-server.ts`). */
runMain(() => startServer());
