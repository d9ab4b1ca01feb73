// tcpdump inside a namespace as an oracle: start, wait until it is really
// capturing (tcpdump prints "listening on" after the filter is attached, right
// before its capture loop), read packets as they come, stop, parse. One packet
// per entry, continuation lines of verbose output folded into it. Deliberately
// text only: tests match on what tcpdump prints, so they read like a person
// reading a capture; byte-level checks belong to the codecs' own tests.
import { LabError } from "./errors.ts";
import type { Namespace } from "./netns.ts";
import type { LabProcess } from "./process.ts";
import { waitFor } from "./wait-for.ts";

export interface CaptureOptions {
  readonly ifname: string;
  /** A pcap-filter expression, e.g. "arp or icmp6". Default: everything. */
  readonly filter?: string | undefined;
  /** Print link-level headers (MACs). Default true. */
  readonly linkLevel?: boolean | undefined;
  /** More tcpdump flags, e.g. ["-v"], ["-Q", "in"], ["-M", "secret"]. */
  readonly extraArgs?: readonly string[] | undefined;
  /** Also write the raw capture to this file (-w, packet-buffered, whole packets). */
  readonly pcapFile?: string | undefined;
  /** With pcapFile: still print packets as text (default true; false for heavy captures). */
  readonly print?: boolean | undefined;
  /**
   * With pcapFile: flush every packet to the file as it comes (-U, default true,
   * so the file can be read while capturing). false writes in blocks, which
   * keeps up with bursts of tens of thousands of packets; stop() flushes.
   */
  readonly packetBuffered?: boolean | undefined;
}

export interface CapturedPacket {
  /** Capture time, seconds since the epoch with microseconds (tcpdump -tt). */
  readonly time: number;
  /** The packet's text without the timestamp, continuation lines joined with "\n". */
  readonly text: string;
}

export class Capture {
  private stopped: CapturedPacket[] | undefined;

  constructor(
    readonly proc: LabProcess,
    readonly ifname: string,
  ) {}

  /** Packets captured so far. */
  packets(): CapturedPacket[] {
    return this.stopped ?? parseTcpdump(this.proc.stdout());
  }

  /** Waits until a packet satisfies `match` and returns it. */
  async waitForPacket(match: RegExp | ((p: CapturedPacket) => boolean), options: { readonly timeout?: number; readonly what?: string } = {}): Promise<CapturedPacket> {
    const test = typeof match === "function" ? match : (p: CapturedPacket) => match.test(p.text);
    return waitFor(() => this.packets().find(test), {
      timeout: options.timeout,
      interval: 20,
      what: options.what ?? `a packet matching ${String(match)} on ${this.ifname}`,
    });
  }

  /** Stops tcpdump (SIGTERM flushes its buffers) and returns every packet. Idempotent. */
  async stop(): Promise<CapturedPacket[]> {
    if (this.stopped !== undefined) return this.stopped;
    await this.proc.stop({ grace: 2_000 });
    this.stopped = parseTcpdump(this.proc.stdout());
    return this.stopped;
  }
}

export async function startCapture(ns: Namespace, options: CaptureOptions): Promise<Capture> {
  const args = ["-i", options.ifname, "-nn", "-tt", "-l", "--immediate-mode"];
  if (options.linkLevel !== false) args.push("-e");
  if (options.pcapFile !== undefined) {
    args.push("-s", "0", ...(options.packetBuffered === false ? [] : ["-U"]), "-w", options.pcapFile, ...(options.print === false ? [] : ["--print"]));
  }
  args.push(...(options.extraArgs ?? []));
  if (options.filter !== undefined && options.filter !== "") args.push(options.filter);
  const proc = ns.spawn("tcpdump", args);
  try {
    await proc.waitForOutput(/listening on /, { timeout: 10_000, what: `tcpdump on ${options.ifname} in ${ns.name} to start capturing` });
  } catch (error) {
    await proc.stop();
    throw error instanceof LabError ? error : new LabError("LAB_EXEC_FAILED", String(error));
  }
  return new Capture(proc, options.ifname);
}

const packetStart = /^(\d+\.\d+) (.*)$/;

export function parseTcpdump(stdout: string): CapturedPacket[] {
  const out: { time: number; text: string }[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const m = packetStart.exec(line);
    if (m !== null) out.push({ time: Number(m[1]), text: m[2] as string });
    else if (out.length > 0) (out[out.length - 1] as { text: string }).text += `\n${line}`;
  }
  return out;
}
