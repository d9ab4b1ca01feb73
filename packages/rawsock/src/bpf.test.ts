// The classic BPF encoder and interpreter: instruction encoding, the
// semantics the kernel gives loads past the end (drop), and validation.
import { describe, expect, it } from "vitest";
import { Bpf, bpfJump, bpfStmt, encodeBpf, runBpf, type BpfInstruction } from "./bpf.ts";
import type { RawsockError } from "./errors.ts";

// "ARP requests only": ethertype 0x0806 at 12, opcode 1 at 20.
const arpRequests: BpfInstruction[] = [
  bpfStmt(Bpf.LD | Bpf.H | Bpf.ABS, 12),
  bpfJump(Bpf.JMP | Bpf.JEQ | Bpf.K, 0x0806, 0, 3),
  bpfStmt(Bpf.LD | Bpf.H | Bpf.ABS, 20),
  bpfJump(Bpf.JMP | Bpf.JEQ | Bpf.K, 1, 0, 1),
  bpfStmt(Bpf.RET | Bpf.K, 0xffff),
  bpfStmt(Bpf.RET | Bpf.K, 0),
];

function frame(ethertype: number, op: number, length = 42): Uint8Array {
  const f = new Uint8Array(length);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  if (length > 21) {
    f[20] = op >> 8;
    f[21] = op & 0xff;
  }
  return f;
}

describe("runBpf", () => {
  it.each([
    ["ARP request", frame(0x0806, 1), 0xffff],
    ["ARP reply", frame(0x0806, 2), 0],
    ["IPv4", frame(0x0800, 1), 0],
    ["truncated before the opcode", frame(0x0806, 1, 20), 0],
  ])("%s", (_n, f, want) => {
    expect(runBpf(arpRequests, f)).toBe(want);
  });

  it("supports index registers, scratch memory and ALU", () => {
    const prog = [
      bpfStmt(Bpf.LDX | Bpf.B | Bpf.MSH, 0), // x = (f[0] & 0xf) * 4
      bpfStmt(Bpf.LD | Bpf.B | Bpf.IND, 0), // a = f[x]
      bpfStmt(Bpf.ST, 3),
      bpfStmt(Bpf.LD | Bpf.IMM, 10),
      bpfStmt(Bpf.ALU | Bpf.ADD | Bpf.K, 5),
      bpfStmt(Bpf.LDX | Bpf.MEM, 3),
      bpfStmt(Bpf.ALU | Bpf.ADD | Bpf.X, 0),
      bpfStmt(Bpf.RET | Bpf.A, 0),
    ];
    const f = new Uint8Array(16);
    f[0] = 0x02; // x = 8
    f[8] = 100;
    expect(runBpf(prog, f)).toBe(115);
  });

  it("rejects programs that do not end in a return or jump out of bounds", () => {
    const code = (p: BpfInstruction[]) => {
      try {
        encodeBpf(p);
      } catch (e) {
        return (e as RawsockError).code;
      }
      return undefined;
    };
    expect(code([])).toBe("RAWSOCK_INVALID_ARGUMENT");
    expect(code([bpfStmt(Bpf.LD | Bpf.IMM, 1)])).toBe("RAWSOCK_INVALID_ARGUMENT");
    expect(code([bpfJump(Bpf.JMP | Bpf.JEQ | Bpf.K, 1, 5, 0), bpfStmt(Bpf.RET | Bpf.K, 0)])).toBe("RAWSOCK_INVALID_ARGUMENT");
    expect(code(arpRequests)).toBeUndefined();
  });
});

describe("encodeBpf", () => {
  it("writes struct sock_filter in host byte order", () => {
    const bytes = encodeBpf([bpfJump(Bpf.JMP | Bpf.JEQ | Bpf.K, 0x0806, 1, 2), bpfStmt(Bpf.RET | Bpf.K, 0), bpfStmt(Bpf.RET | Bpf.K, 0), bpfStmt(Bpf.RET | Bpf.K, 0)]);
    expect(bytes.length).toBe(32);
    expect(Buffer.from(bytes.subarray(0, 8)).toString("hex")).toBe("1500" + "01" + "02" + "06080000");
  });
});
