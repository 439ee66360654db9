/**
 * The first import of `main.ts` and `scripts/worker.ts`: on Node 22.1 and later, V8's compile cache keeps the
 * compiled code of every module loaded after it (in the system's temporary directory, or NODE_COMPILE_CACHE), so
 * that a restart parses and compiles the application and its dependencies again only where they changed: about a
 * third of a start's CPU goes to loading modules. Node 20 has no compile cache: nothing happens there.
 */
import * as nodeModule from 'node:module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
