// The `ironlb` executable: parses argv and runs one command.
import { createProgram } from "./program.ts";
import { CliError } from "./cli-kit.ts";

try {
  const program = await createProgram();
  await program.parseAsync(process.argv);
} catch (err) {
  // Expected failures are CliErrors with their own exit code; anything else is
  // an environment problem or a bug, still reported on one line.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`ironlb: ${message}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
