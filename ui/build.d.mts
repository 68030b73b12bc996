/** Types of ui/build.mjs for the TypeScript tests that build the pages. */
export function buildUi(options?: { outDir?: string; minify?: boolean }): Promise<string>;
