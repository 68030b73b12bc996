// ESLint (flat config): typed rules from typescript-eslint, import cycles, and the store boundary.
// `npm run lint` runs this, then `prettier --check`: formatting is Prettier's, so no style rules here.
// Every rule turned off below says why; every `eslint-disable` comment in the tree names its rule and
// its reason, and one that no longer suppresses anything is an error.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Database drivers: only the store backends (src/stores/) may import them. */
const DATABASE_DRIVERS = ['lmdb', 'mongodb', 'pg', 'postgres'];
const DRIVER_MESSAGE = 'Only src/stores/ imports a database driver: go through the store contract (src/stores/types.ts).';
const DRIVER_IMPORT = { selector: `ImportExpression[source.value=/^(${DATABASE_DRIVERS.join('|')})(\\u002F|$)/]`, message: DRIVER_MESSAGE };
/** The password hasher's test-only option (src/identity/passwords.ts): server code never sets it. */
const TEST_ONLY_HASHER = {
  selector: "Property[key.name='belowOwaspMinimumForTests']",
  message: "belowOwaspMinimumForTests is for tests: a server's password hasher keeps OWASP's minimum.",
};

export default tseslint.config(
  {
    ignores: [
      ...['dist/', 'ui/dist/', 'node_modules/', 'bench/results/', 'test-results/', 'coverage/', 'data/', '.work/'],
      // Data, not code: AM / AIC exports and the scripts they carry (`<journeysDir>/scripts/*.js`), kept
      // byte-identical to the real ones; they run in the script sandbox against AM's bindings.
      'test/fixtures/',
      '**/journeys/scripts/',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // The server and tests (tsconfig.test.json includes src/), and the hosted pages (browser lib).
        project: ['./tsconfig.test.json', './ui/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // NodeNext sources import `./x.js` for `./x.ts`.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      // Runtime cycles only: `import type` is erased and cannot make a module see another half-initialised.
      'import-x/no-cycle': 'error',
      // `_`-prefixed names are deliberately unused (a parameter kept for its position, a field
      // destructured away so that `...rest` omits it).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Off: contracts are Promise-based (the store interface, a node's `process`), and an
      // implementation that happens to be synchronous (the lmdb backend, most nodes) stays `async`
      // so that a throw becomes a rejection, as the caller expects.
      '@typescript-eslint/require-await': 'off',
      // Off: JSON values are shown with `String(value ?? '')`; `unknown ?? ''` types as `{}`, which
      // this rule reports as a possible "[object Object]" although the value is a JSON scalar.
      '@typescript-eslint/no-base-to-string': 'off',
      // Off: Cairn's objects are closures returned by factories (no `this`), so passing or
      // destructuring one of their methods (`const { t } = ctx.t`, `now: clock.now`) is safe.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Server and hosted-page code logs through pino / the page; only CLIs and scripts print.
    files: ['src/**/*.ts', 'ui/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // The hosted pages run in the browser.
    files: ['ui/src/**/*.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The store boundary. Store tests (test/stores/) may open the database they test directly.
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    ignores: ['src/stores/**', 'test/stores/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: DATABASE_DRIVERS.map((name) => ({ name, message: DRIVER_MESSAGE })),
          patterns: DATABASE_DRIVERS.map((name) => ({ group: [`${name}/*`], message: DRIVER_MESSAGE })),
        },
      ],
      'no-restricted-syntax': ['error', DRIVER_IMPORT],
    },
  },
  {
    // Server code never weakens the password hasher (the store boundary's rule above holds here too).
    files: ['src/**/*.ts'],
    ignores: ['src/stores/**'],
    rules: { 'no-restricted-syntax': ['error', DRIVER_IMPORT, TEST_ONLY_HASHER] },
  },
  {
    files: ['src/stores/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', TEST_ONLY_HASHER] },
  },
  {
    // Tests read untyped JSON answers (`await res.json()`, `json: any`) and let `expect` check their shape.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Plain JavaScript (bin, scripts, bench, build files) has no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
