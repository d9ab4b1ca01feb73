export function transpileFile(file: string): Promise<string>;
export function warm(files: readonly string[]): Promise<void>;
