// The one error type of the lab harness. Every failure carries a stable string
// `code` so suites (and the harness's own tests) assert codes, not prose.
// Deliberately not a BGP or L2 error: those belong to the packages under test.

export type LabErrorCode =
  | "LAB_TIMEOUT" // waitFor's deadline passed
  | "LAB_EXEC_FAILED" // a command exited non-zero (or could not start)
  | "LAB_PREREQUISITE_MISSING" // not root, or a binary is missing
  | "LAB_NAME_EXHAUSTED" // no free unique name (counter overflowed the 15-char limit)
  | "LAB_CLEANED_UP" // the lab was used after cleanup()
  | "LAB_BAD_ARGUMENT" // a caller passed something the harness cannot do
  | "LAB_ROUTER_FAILED" // a daemon exited early or answered something unparsable
  | "LAB_ADDRESS_EXHAUSTED"; // the address plan ran out of subnets or prefixes

export class LabError extends Error {
  override readonly name = "LabError";
  constructor(
    readonly code: LabErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(`${code}: ${message}`);
  }
}
