// The `ironlb` executable: parses argv and runs one command. Every command
// lives in its own module under commands/ and is registered in program.ts.
import { createProgram } from "./program.ts";

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commands report expected failures themselves; anything reaching here is a
  // bug or an environment problem, reported on one line.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`ironlb: ${message}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
}
