// Types of transpile.mjs (plain JavaScript so the child's loader hooks can use it untranspiled).
export function transpile(url: string, source: string, cacheDir?: string): Promise<string>;
export function warm(files: readonly string[], cacheDir: string): Promise<void>;
