/**
 * Builds the hosted pages into ui/dist/: bundles ui/src/main.ts with esbuild (one ES module, no
 * external script, font or CDN) and copies index.html, styles.css, theme.json and the logo. Run
 * `node ui/build.mjs`; `buildUi({outDir})` is exported for tests. Type-checking is separate:
 * `tsc -p ui/tsconfig.json`.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI_DIR = dirname(fileURLToPath(import.meta.url));
const STATIC_FILES = [
  ['index.html', 'index.html'],
  ['styles.css', 'styles.css'],
  ['theme.json', 'theme.json'],
  ['assets/logo.svg', 'logo.svg'],
];

/** Builds the pages into `outDir` (default ui/dist) and returns its absolute path. */
export async function buildUi({ outDir = join(UI_DIR, 'dist'), minify = true } = {}) {
  const out = resolve(outDir);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(UI_DIR, 'src/main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const [from, to] of STATIC_FILES) await copyFile(join(UI_DIR, from), join(out, to));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildUi({ outDir: process.argv[2] });
  console.log(`hosted pages built into ${out}`);
}
