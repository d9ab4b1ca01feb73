// Go's time.ParseDuration, exactly: MetalLB's `hold-time` and `keepalive-time`
// are Go duration strings, so "90s", "1m30s", "1.5m", "300ms", "+5s" and "-1h"
// parse, and a bare number does not (except "0"). Error texts are Go's own, so
// a message reads as MetalLB printed it: `time: missing unit in duration "90"`.
//
// Nanoseconds are bigint and bounded to int64 like Go's Duration; fractions are
// computed in float64 as Go does, so "1.1h" rounds the same way.
//
// Deliberately not here: what a BGP timer may be (0 or >= 3s, <= 65535s).
// That is the peer parser's business.

export type DurationResult =
  | { readonly ok: true; readonly nanoseconds: bigint }
  | { readonly ok: false; readonly message: string };

const NANOSECOND = 1n;
const MICROSECOND = 1000n * NANOSECOND;
const MILLISECOND = 1000n * MICROSECOND;
const SECOND = 1000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", NANOSECOND],
  ["us", MICROSECOND],
  ["\u00b5s", MICROSECOND], // U+00B5 micro sign
  ["\u03bcs", MICROSECOND], // U+03BC Greek small letter mu
  ["ms", MILLISECOND],
  ["s", SECOND],
  ["m", MINUTE],
  ["h", HOUR],
]);

const INT64_LIMIT = 1n << 63n; // Go compares against 1<<63 before narrowing to int64

/** Go's strconv.Quote for the ASCII texts a config holds: a double-quoted, escaped string. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

export function parseGoDuration(text: string): DurationResult {
  const invalid = (): DurationResult => ({ ok: false, message: `time: invalid duration ${quote(text)}` });
  let s = text;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  // Go's special case: "0" (optionally signed) needs no unit.
  if (s === "0") return { ok: true, nanoseconds: 0n };
  if (s === "") return invalid();

  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) return invalid();

    // The integer part, [0-9]*, with Go's overflow guard.
    let i = 0;
    let whole = 0n;
    while (i < s.length && isDigit(s[i])) {
      if (whole > INT64_LIMIT / 10n) return invalid();
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
      if (whole > INT64_LIMIT) return invalid();
      i++;
    }
    const sawWhole = i > 0;
    s = s.slice(i);

    // The fraction, (\.[0-9]*)?, which stops gaining precision rather than failing.
    let frac = 0n;
    let scale = 1;
    let sawFrac = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          if (frac > (INT64_LIMIT - 1n) / 10n) {
            overflow = true;
          } else {
            const next = frac * 10n + BigInt(s.charCodeAt(j) - 48);
            if (next > INT64_LIMIT) overflow = true;
            else {
              frac = next;
              scale *= 10;
            }
          }
        }
        j++;
      }
      sawFrac = j > 0;
      s = s.slice(j);
    }
    if (!sawWhole && !sawFrac) return invalid(); // ".s" or "-.s"

    // The unit: everything up to the next digit or dot.
    let k = 0;
    while (k < s.length && !(s[k] === "." || isDigit(s[k]))) k++;
    if (k === 0) return { ok: false, message: `time: missing unit in duration ${quote(text)}` };
    const unitText = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS.get(unitText);
    if (unit === undefined) {
      return { ok: false, message: `time: unknown unit ${quote(unitText)} in duration ${quote(text)}` };
    }

    if (whole > INT64_LIMIT / unit) return invalid();
    let v = whole * unit;
    if (frac > 0n) {
      // float64 as in Go: exact to the nanosecond for fractions of an hour.
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
      if (v > INT64_LIMIT) return invalid();
    }
    total += v;
    if (total > INT64_LIMIT) return invalid();
  }
  if (neg) return { ok: true, nanoseconds: -total };
  if (total > INT64_LIMIT - 1n) return invalid();
  return { ok: true, nanoseconds: total };
}

/** Whole seconds, truncated toward zero, as MetalLB's `time.Duration(int(d.Seconds())) * time.Second`. */
export function wholeSeconds(nanoseconds: bigint): bigint {
  return nanoseconds / SECOND;
}

/** Go's Duration.String() for the values the config messages print ("1.5s", "1m30s", "0s"). */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return "0s";
  const neg = nanoseconds < 0n;
  let u = neg ? -nanoseconds : nanoseconds;
  const sign = neg ? "-" : "";
  if (u < SECOND) {
    // Sub-second: the largest unit that keeps a leading digit, with a fraction.
    const [unit, name] = u < MICROSECOND ? [NANOSECOND, "ns"] : u < MILLISECOND ? [MICROSECOND, "\u00b5s"] : [MILLISECOND, "ms"];
    return sign + fraction(u, unit) + name;
  }
  let out = "";
  const hours = u / HOUR;
  u -= hours * HOUR;
  const minutes = u / MINUTE;
  u -= minutes * MINUTE;
  if (hours > 0n) out += `${hours}h`;
  if (hours > 0n || minutes > 0n) out += `${minutes}m`;
  out += fraction(u, SECOND) + "s";
  return sign + out;
}

function fraction(v: bigint, unit: bigint): string {
  const whole = v / unit;
  const rest = v % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}
