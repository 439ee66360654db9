// ESLint (flat config) holds the layers of src/ apart: shared ← config ← infra ← modules ← graphql, http ← the
// app's entry files (src/*.ts). A layer imports only the layers to its left; see README "Architecture".
// Only the import boundaries are checked here: the TypeScript compiler (strict, noUnused*) and knip do the rest.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

/** The app's entry files, at the top of src/: nothing below them may import them. */
const ENTRY_FILES = 'app|main|worker|live-events|start-server|process-lifecycle|tracing-start|compile-cache';

/** A relative import that climbs out of the file's folder into one of `layers` (or an entry file). */
function climbingInto(layers, message) {
  return { regex: `^(\\.\\./)+(${layers})(/|$)`, message };
}

const MODULES_ABOVE = 'Feature modules do not import the GraphQL or HTTP layers or the app: those import them.';

function layer(files, forbidden) {
  return {
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: forbidden }] },
  };
}

/** The feature modules: each reaches another only through its public entry (`src/modules/<name>/index.ts`). */
const MODULES = readdirSync(new URL('./src/modules', import.meta.url), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

/** A relative import of a file inside another module than `module`, rather than of its entry. */
function intoAnotherModulesFiles(module) {
  return {
    regex: `^\\.\\./(${MODULES.filter((other) => other !== module).join('|')})/`,
    message: `A module reaches another only through its public entry: import '../<module>', and export what you need from that module's index.ts.`,
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'dashboard/**', 'tests/**', 'bench/**', 'scripts/**', 'migrations/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    // The few `require`s left are deliberate (optional or late loads), each with a comment saying why.
    rules: { '@typescript-eslint/no-require-imports': 'error' },
  },
  layer(['src/shared/**/*.ts'], [climbingInto(`config|infra|modules|graphql|http|${ENTRY_FILES}`, 'src/shared is the bottom layer: it imports no other part of src.')]),
  layer(['src/config/**/*.ts'], [climbingInto(`infra|modules|graphql|http|${ENTRY_FILES}`, 'src/config imports only src/shared.')]),
  layer(['src/infra/**/*.ts'], [climbingInto(`modules|graphql|http|${ENTRY_FILES}`, 'src/infra (database, Redis, jobs, logging) knows no feature: pass what it needs from above.')]),
  layer(['src/modules/**/*.ts'], [climbingInto(`graphql|http|${ENTRY_FILES}`, MODULES_ABOVE)]),
  // One block per module (a later block's patterns replace the one above for its files, so it repeats them).
  ...MODULES.map((module) => layer([`src/modules/${module}/**/*.ts`], [climbingInto(`graphql|http|${ENTRY_FILES}`, MODULES_ABOVE), intoAnotherModulesFiles(module)])),
  layer(['src/graphql/**/*.ts', 'src/http/**/*.ts'], [climbingInto(ENTRY_FILES, 'The GraphQL and HTTP layers do not import the app: it assembles them.')]),
);
