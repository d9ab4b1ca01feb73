// JSON-lines logging for the daemons: one object per line with fixed keys
// (`ts`, `level`, `component`, `op`, `msg`, then context such as `service`,
// `pool`, `ip`, `peer`, `error`). Libraries never log; daemons bind context
// once per handler call with `with()`.

export type LogLevel = "debug" | "info" | "warn" | "error";

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly component: string;
  readonly level?: LogLevel | undefined;
  readonly write?: ((line: string) => void) | undefined;
  readonly now?: (() => number) | undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  const min = order[options.level ?? "info"];
  const write = options.write ?? ((line: string) => void process.stdout.write(line + "\n"));
  const now = options.now ?? Date.now;
  const make = (bound: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (order[level] < min) return;
      const rec: Record<string, unknown> = { ts: new Date(now()).toISOString(), level, component: options.component, msg };
      for (const src of [bound, fields ?? {}]) {
        for (const [k, v] of Object.entries(src)) {
          if (v === undefined) continue;
          rec[k] = v instanceof Error ? v.message : typeof v === "bigint" ? v.toString() : v;
        }
      }
      write(JSON.stringify(rec));
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      with: (f) => make({ ...bound, ...f }),
    };
  };
  return make({});
}

/** A logger that drops everything (tests, library embedding). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  with: () => silentLogger,
};
