// What every daemon wrapper shares: lifecycle (start, restart, SIGSTOP/SIGCONT,
// stop) of one tracked process in a namespace, and the waits suites use
// (session established, routes present) built on the daemon-specific
// sessions()/routes(). Each daemon module supplies launch() (write config,
// spawn, wait until its control API answers) and the two queries.
import { LabError } from "../errors.ts";
import type { Namespace } from "../netns.ts";
import type { LabProcess } from "../process.ts";
import { waitFor } from "../wait-for.ts";
import type { RouteQuery, RoutePath, RouterConfig, RouterKind, SessionInfo } from "./types.ts";

export abstract class Router {
  abstract readonly kind: RouterKind;
  private proc: LabProcess | undefined;

  constructor(
    readonly ns: Namespace,
    readonly config: RouterConfig,
    /** The daemon's own directory (config, control socket, pid file, logs), removed with the lab. */
    readonly runDir: string,
  ) {}

  /** The running daemon process (the current one after a restart). */
  get process(): LabProcess {
    if (this.proc === undefined) throw new LabError("LAB_ROUTER_FAILED", `${this.kind} in ${this.ns.name} is not started`);
    return this.proc;
  }

  /** The daemon's output so far (logs go to stdout/stderr), for failure messages. */
  logs(): string {
    return this.proc?.output() ?? "";
  }

  /** Version string as the goldens cite it, e.g. "BIRD 2.0.12". */
  abstract version(): Promise<string>;

  /** Writes the config, spawns the daemon and resolves once its control API answers. */
  protected abstract launch(): Promise<LabProcess>;

  abstract sessions(): Promise<SessionInfo[]>;

  /** Routes learned from BGP neighbors (every path, not only the best), optionally one family or one exact prefix. */
  abstract routes(query?: RouteQuery): Promise<RoutePath[]>;

  async start(): Promise<this> {
    if (this.proc?.running === true) throw new LabError("LAB_BAD_ARGUMENT", `${this.kind} in ${this.ns.name} is already running`);
    this.proc = await this.launch();
    return this;
  }

  async session(peer: string): Promise<SessionInfo | undefined> {
    return (await this.sessions()).find((s) => s.peer === peer);
  }

  /** Polls until the session with `peer` is Established; the timeout error carries the daemon's view and log tail. */
  async waitEstablished(peer: string, options: { readonly timeout?: number } = {}): Promise<SessionInfo> {
    try {
      return await waitFor(
        async () => {
          this.assertRunning();
          const s = await this.session(peer);
          return s?.established === true ? s : undefined;
        },
        { timeout: options.timeout ?? 30_000, interval: 100, what: `${this.kind} in ${this.ns.name}: session with ${peer} Established` },
      );
    } catch (error) {
      throw await this.explain(error, peer);
    }
  }

  /** Polls until `done(routes)` holds for the routes matching `query`; returns those routes. */
  async waitForRoutes(
    done: (routes: RoutePath[]) => boolean,
    options: RouteQuery & { readonly what: string; readonly timeout?: number | undefined },
  ): Promise<RoutePath[]> {
    return waitFor(
      async () => {
        this.assertRunning();
        const routes = await this.routes(options);
        return done(routes) ? routes : undefined;
      },
      { timeout: options.timeout ?? 15_000, interval: 100, what: `${this.kind} in ${this.ns.name}: ${options.what}` },
    );
  }

  /** SIGSTOP: the daemon stays alive but silent, so its peers' hold timers run out. */
  pause(): void {
    this.process.pause();
  }

  resume(): void {
    this.process.resume();
  }

  /** SIGTERM (SIGKILL after 3 s). Idempotent. */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** SIGKILL: a crash, no goodbye on the wire from the daemon itself (the kernel still closes its sockets). */
  async kill(): Promise<void> {
    if (this.proc === undefined) return;
    this.proc.signal("SIGKILL");
    await this.proc.exited;
  }

  /** Stop, then start again with the same config (a router reboot). */
  async restart(): Promise<void> {
    await this.stop();
    this.proc = await this.launch();
  }

  protected assertRunning(): void {
    const p = this.process;
    if (!p.running) throw new LabError("LAB_ROUTER_FAILED", `${this.kind} in ${this.ns.name} exited (${JSON.stringify(p.exitInfo)}): ${tail(p.output())}`);
  }

  private async explain(error: unknown, peer: string): Promise<unknown> {
    if (!(error instanceof LabError) || error.code !== "LAB_TIMEOUT") return error;
    const view = await this.session(peer).catch((e: unknown) => String(e));
    return new LabError("LAB_TIMEOUT", `${error.message}; ${this.kind} says ${JSON.stringify(view)}; log: ${tail(this.logs())}`, error.detail);
  }
}

export function tail(text: string, chars = 1500): string {
  const t = text.trim();
  return t.length > chars ? `...${t.slice(-chars)}` : t;
}

/** "65000:1" -> [65000, 1]; throws LAB_BAD_ARGUMENT on anything else. */
export function parseCommunity(text: string, parts: 2 | 3): number[] {
  const nums = text.split(":").map(Number);
  if (nums.length !== parts || nums.some((n) => !Number.isInteger(n) || n < 0 || n > (parts === 2 ? 0xffff : 0xffffffff))) {
    throw new LabError("LAB_BAD_ARGUMENT", `"${text}" is not a ${parts === 2 ? "community (A:B)" : "large community (A:B:C)"}`);
  }
  return nums;
}
