// The one error type of the ip module. Callers (config parsing, status
// reading) branch on `code`, never on the message text.

export type IpErrorCode =
  | "IP_INVALID" // not an IPv4 or IPv6 address in canonical-enough text form
  | "PREFIX_INVALID" // not ADDRESS/LENGTH, or the length is out of range for the family
  | "RANGE_INVALID" // not START-END, or the two ends are of different families
  | "RANGE_REVERSED"; // START is after END

export class IpError extends Error {
  readonly code: IpErrorCode;
  readonly input: string;
  constructor(code: IpErrorCode, input: string, message: string) {
    super(message);
    this.name = "IpError";
    this.code = code;
    this.input = input;
  }
}
