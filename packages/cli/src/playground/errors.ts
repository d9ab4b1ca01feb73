// The playground's one error type: a stable `code` (tests assert codes) and a
// sentence for the user.
export type PlaygroundErrorCode =
  | "PLAYGROUND_COMMAND_FAILED"
  | "PLAYGROUND_TIMEOUT"
  | "PLAYGROUND_MISSING_FILE"
  | "PLAYGROUND_PROCESS_EXITED"
  | "PLAYGROUND_CLEANUP_INCOMPLETE";

export class PlaygroundError extends Error {
  readonly code: PlaygroundErrorCode;
  constructor(code: PlaygroundErrorCode, message: string) {
    super(message);
    this.name = "PlaygroundError";
    this.code = code;
  }
}
