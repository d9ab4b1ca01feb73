// Classic BPF (the socket filter language of SO_ATTACH_FILTER): instruction
// constants as in linux/filter.h, an encoder to struct sock_filter[] bytes,
// and a small interpreter so that the in-memory PacketConn applies the same
// program the kernel would, and filters can be tested without root.
//
// Deliberately not here: eBPF, the kernel's ancillary loads (SKF_AD_*
// negative offsets: the interpreter treats them as out of bounds), a
// verifier beyond what the interpreter needs to run safely.
import { endianness } from "node:os";
import { RawsockError } from "./errors.ts";

export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

// linux/bpf_common.h, spelled as there without the BPF_ prefix.
export const Bpf = {
  // classes
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
  // sizes
  W: 0x00,
  H: 0x08,
  B: 0x10,
  // modes
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  LEN: 0x80,
  MSH: 0xa0,
  // alu/jmp ops
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  // sources
  K: 0x00,
  X: 0x08,
  A: 0x10,
  // misc
  TAX: 0x00,
  TXA: 0x80,
} as const;

export const BPF_MAXINSNS = 4096;
const BPF_MEMWORDS = 16;

export function bpfStmt(code: number, k: number): BpfInstruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

export function bpfJump(code: number, k: number, jt: number, jf: number): BpfInstruction {
  return { code, jt, jf, k: k >>> 0 };
}

/** struct sock_filter[]: u16 code, u8 jt, u8 jf, u32 k, in host byte order. */
export function encodeBpf(program: readonly BpfInstruction[]): Uint8Array {
  validate(program);
  const out = new Uint8Array(program.length * 8);
  const v = new DataView(out.buffer);
  const le = endianness() === "LE";
  program.forEach((ins, i) => {
    v.setUint16(i * 8, ins.code, le);
    v.setUint8(i * 8 + 2, ins.jt);
    v.setUint8(i * 8 + 3, ins.jf);
    v.setUint32(i * 8 + 4, ins.k >>> 0, le);
  });
  return out;
}

function validate(program: readonly BpfInstruction[]): void {
  const bad = (why: string) => new RawsockError("RAWSOCK_INVALID_ARGUMENT", `BPF program: ${why}`);
  if (program.length === 0 || program.length > BPF_MAXINSNS) throw bad(`needs 1..${BPF_MAXINSNS} instructions`);
  program.forEach((ins, pc) => {
    if ((ins.code & 0x07) === Bpf.JMP) {
      const targets = (ins.code & 0xf0) === Bpf.JA ? [ins.k] : [ins.jt, ins.jf];
      for (const t of targets) if (pc + 1 + t >= program.length) throw bad(`jump at ${pc} leaves the program`);
    }
  });
  const last = program[program.length - 1] as BpfInstruction;
  if ((last.code & 0x07) !== Bpf.RET) throw bad("must end with a return");
}

/**
 * Runs a program over a frame and returns the number of bytes to accept
 * (0 = drop), as the kernel's sk_run_filter does. A load past the end of the
 * frame returns 0, as in the kernel.
 */
export function runBpf(program: readonly BpfInstruction[], frame: Uint8Array): number {
  validate(program);
  let a = 0;
  let x = 0;
  const mem = new Uint32Array(BPF_MEMWORDS);
  const load = (offset: number, size: number): number | undefined => {
    if (offset < 0 || offset + size > frame.length) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = (v * 256 + (frame[offset + i] as number)) >>> 0;
    return v;
  };
  const sizeOf = (code: number) => ((code & 0x18) === Bpf.B ? 1 : (code & 0x18) === Bpf.H ? 2 : 4);
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc] as BpfInstruction;
    const cls = ins.code & 0x07;
    const k = ins.k >>> 0;
    switch (cls) {
      case Bpf.LD: {
        const mode = ins.code & 0xe0;
        if (mode === Bpf.IMM) a = k;
        else if (mode === Bpf.LEN) a = frame.length;
        else if (mode === Bpf.MEM) a = mem[k % BPF_MEMWORDS] as number;
        else {
          const v = load(mode === Bpf.ABS ? k | 0 : (x + k) | 0, sizeOf(ins.code));
          if (v === undefined) return 0;
          a = v;
        }
        break;
      }
      case Bpf.LDX: {
        const mode = ins.code & 0xe0;
        if (mode === Bpf.IMM) x = k;
        else if (mode === Bpf.LEN) x = frame.length;
        else if (mode === Bpf.MEM) x = mem[k % BPF_MEMWORDS] as number;
        else if (mode === Bpf.MSH) {
          const v = load(k | 0, 1);
          if (v === undefined) return 0;
          x = (v & 0x0f) * 4;
        } else return 0;
        break;
      }
      case Bpf.ST:
        mem[k % BPF_MEMWORDS] = a;
        break;
      case Bpf.STX:
        mem[k % BPF_MEMWORDS] = x;
        break;
      case Bpf.ALU: {
        const src = (ins.code & 0x08) === Bpf.X ? x : k;
        switch (ins.code & 0xf0) {
          case Bpf.ADD: a = (a + src) >>> 0; break;
          case Bpf.SUB: a = (a - src) >>> 0; break;
          case Bpf.MUL: a = Math.imul(a, src) >>> 0; break;
          case Bpf.DIV: if (src === 0) return 0; a = Math.floor(a / src) >>> 0; break;
          case Bpf.OR: a = (a | src) >>> 0; break;
          case Bpf.AND: a = (a & src) >>> 0; break;
          case Bpf.LSH: a = src >= 32 ? 0 : (a << src) >>> 0; break;
          case Bpf.RSH: a = src >= 32 ? 0 : a >>> src; break;
          case Bpf.NEG: a = -a >>> 0; break;
          default: return 0;
        }
        break;
      }
      case Bpf.JMP: {
        const op = ins.code & 0xf0;
        if (op === Bpf.JA) {
          pc += k;
          break;
        }
        const src = (ins.code & 0x08) === Bpf.X ? x : k;
        const taken = op === Bpf.JEQ ? a === src : op === Bpf.JGT ? a > src : op === Bpf.JGE ? a >= src : (a & src) !== 0;
        pc += taken ? ins.jt : ins.jf;
        break;
      }
      case Bpf.RET:
        return (ins.code & 0x18) === Bpf.A ? a : k;
      case Bpf.MISC:
        if ((ins.code & 0xf8) === Bpf.TXA) a = x;
        else x = a;
        break;
    }
  }
  return 0;
}
