// A client for BIRD's control socket (the protocol birdc speaks): one
// connection per request, so concurrent requests never interleave. A reply is
// a run of lines "NNNN-text" (more follows), " text" (continuation) and ends at
// the first "NNNN text" line; codes 8000-9999 are errors. Talking to the socket
// directly instead of spawning birdc makes a query cost well under a
// millisecond, which the benchmark's polling needs.
// Deliberately no command-line parsing or escaping: commands are built by the
// harness from values it generated itself.
import net from "node:net";
import { LabError } from "../errors.ts";

export interface BirdReply {
  /** Reply text without the codes, one entry per line. */
  readonly lines: readonly string[];
  /** Code of the final line (0 = ok). */
  readonly code: number;
}

export function birdRequest(socketPath: string, command: string, options: { readonly timeout?: number } = {}): Promise<BirdReply> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    const lines: string[] = [];
    let buffered = "";
    let greeted = false;
    let done = false;
    const timer = setTimeout(() => finish(new LabError("LAB_ROUTER_FAILED", `BIRD control socket ${socketPath}: no reply to "${command}" within ${options.timeout ?? 10_000} ms`)), options.timeout ?? 10_000);

    function finish(result: Error | BirdReply): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    }

    sock.setEncoding("utf8");
    sock.on("error", (error) => finish(new LabError("LAB_ROUTER_FAILED", `BIRD control socket ${socketPath}: ${error.message}`, error)));
    sock.on("close", () => finish(new LabError("LAB_ROUTER_FAILED", `BIRD control socket ${socketPath} closed before the reply to "${command}" ended`)));
    sock.on("data", (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^(\d{4})([ -])(.*)$/.exec(line);
        if (!greeted) {
          // "0001 BIRD 2.0.12 ready."
          if (m?.[2] === " ") {
            greeted = true;
            sock.write(`${command}\n`);
          }
          continue;
        }
        if (m === null) {
          lines.push(line.startsWith(" ") ? line.slice(1) : line);
          continue;
        }
        const code = Number(m[1]);
        if (code !== 0 || m[3] !== "") lines.push(m[3] as string);
        if (m[2] === " ") {
          if (code >= 9000) finish(new LabError("LAB_ROUTER_FAILED", `BIRD rejected "${command}": ${lines.join(" | ")}`, { code, lines }));
          else finish({ lines, code });
          return;
        }
      }
    });
  });
}
