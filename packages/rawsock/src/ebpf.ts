// eBPF, as much as an XDP program with one hash map needs: an assembler for
// struct bpf_insn (linux/bpf.h, 8 bytes each, host byte order) with labels,
// and the bpf(2) commands to create and use maps, load a program (the
// verifier's log comes back in the error) and attach it to an interface with a
// BPF link. A link belongs to its fd: when the process exits, however it
// exits, the kernel detaches the program, so a crashed daemon never leaves a
// program answering in its name.
//
// The union bpf_attr is written here; the addon only fills in the pointers
// (native/rawsock.cc, bpf()). Offsets are the kernel's UAPI and never change.
//
// Deliberately not here: BTF, CO-RE, ELF object loading, program types other
// than what IronLB loads. Programs are small and written with this assembler.
import { endianness } from "node:os";
import { RawsockError } from "./errors.ts";
import { addon, sys } from "./native.ts";

/** The privilege every command here needs. */
const PRIVILEGE = "CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN)";

// linux/bpf.h enum bpf_cmd, bpf_map_type, bpf_prog_type, bpf_attach_type; linux/if_link.h XDP flags.
export const BpfCmd = { MAP_CREATE: 0, MAP_LOOKUP_ELEM: 1, MAP_UPDATE_ELEM: 2, MAP_DELETE_ELEM: 3, PROG_LOAD: 5, LINK_CREATE: 28 } as const;
export const BpfMapType = { HASH: 1, ARRAY: 2 } as const;
export const BpfProgType = { SCHED_CLS: 3, XDP: 6 } as const;
export const BpfAttachType = { XDP: 37, TCX_INGRESS: 46 } as const;
export const XdpFlags = { SKB_MODE: 1 << 1, DRV_MODE: 1 << 2 } as const;
export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3 } as const;
/** tcx verdicts (linux/bpf.h enum tcx_action_base, TC_ACT_* values). NEXT hands the packet to the next program or the stack. */
export const TcxAction = { NEXT: -1, PASS: 0, DROP: 2, REDIRECT: 7 } as const;
export const BpfHelper = { map_lookup_elem: 1, redirect: 23 } as const;

/** Registers: r0 return value, r1-r5 arguments (clobbered by calls), r6-r9 callee-saved, r10 frame pointer. */
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export type Size = 1 | 2 | 4 | 8;
export type AluOp = "add" | "sub" | "and" | "or" | "lsh" | "rsh" | "xor" | "mov";
export type JmpOp = "jeq" | "jne" | "jgt" | "jge" | "jlt" | "jle" | "jset";

const SIZE = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 } as const;
const ALU = { add: 0x00, sub: 0x10, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, xor: 0xa0, mov: 0xb0 } as const;
const JMP = { jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jlt: 0xa0, jle: 0xb0 } as const;
const CLS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
const MODE = { IMM: 0x00, MEM: 0x60, ATOMIC: 0xc0 } as const;
const SRC_X = 0x08;
const PSEUDO_MAP_FD = 1;

interface Insn {
  code: number;
  dst: Reg;
  src: number;
  off: number;
  imm: number;
  /** Jump target, resolved into `off` by bytes(). */
  label?: string;
}

/** Builds a program instruction by instruction; jumps name labels defined before or after them. */
export class EbpfAssembler {
  readonly #insns: Insn[] = [];
  readonly #labels = new Map<string, number>();

  /** Number of 8-byte instruction slots so far. */
  get length(): number {
    return this.#insns.length;
  }

  label(name: string): this {
    if (this.#labels.has(name)) throw invalid(`label ${name} defined twice`);
    this.#labels.set(name, this.#insns.length);
    return this;
  }

  /** dst = *(size *)(src + off) */
  load(size: Size, dst: Reg, src: Reg, off: number): this {
    return this.#push({ code: CLS.LDX | MODE.MEM | SIZE[size], dst, src, off, imm: 0 });
  }

  /** *(size *)(dst + off) = src */
  store(size: Size, dst: Reg, off: number, src: Reg): this {
    return this.#push({ code: CLS.STX | MODE.MEM | SIZE[size], dst, src, off, imm: 0 });
  }

  /** *(size *)(dst + off) = imm (sign-extended 32-bit immediate) */
  storeImm(size: Size, dst: Reg, off: number, imm: number): this {
    return this.#push({ code: CLS.ST | MODE.MEM | SIZE[size], dst, src: 0, off, imm });
  }

  /** Atomic *(u64 *)(dst + off) += src */
  atomicAdd64(dst: Reg, off: number, src: Reg): this {
    return this.#push({ code: CLS.STX | MODE.ATOMIC | SIZE[8], dst, src, off, imm: ALU.add });
  }

  /** 64-bit dst op= imm */
  alu(op: AluOp, dst: Reg, imm: number): this {
    return this.#push({ code: CLS.ALU64 | ALU[op], dst, src: 0, off: 0, imm });
  }

  /** 64-bit dst op= src */
  aluReg(op: AluOp, dst: Reg, src: Reg): this {
    return this.#push({ code: CLS.ALU64 | ALU[op] | SRC_X, dst, src, off: 0, imm: 0 });
  }

  /** if (dst op imm) goto label (64-bit compare, imm sign-extended) */
  jump(op: JmpOp, dst: Reg, imm: number, label: string): this {
    return this.#push({ code: CLS.JMP | JMP[op], dst, src: 0, off: 0, imm, label });
  }

  /** if ((u32)dst op (u32)imm) goto label: compares the low 32 bits (loaded packet words are zero-extended) */
  jump32(op: JmpOp, dst: Reg, imm: number, label: string): this {
    return this.#push({ code: CLS.JMP32 | JMP[op], dst, src: 0, off: 0, imm, label });
  }

  /** if (dst op src) goto label */
  jumpReg(op: JmpOp, dst: Reg, src: Reg, label: string): this {
    return this.#push({ code: CLS.JMP | JMP[op] | SRC_X, dst, src, off: 0, imm: 0, label });
  }

  goto(label: string): this {
    return this.#push({ code: CLS.JMP, dst: 0, src: 0, off: 0, imm: 0, label });
  }

  /** dst = the map behind `fd` (a 16-byte ld_imm64 the kernel rewrites to the map's address). */
  loadMap(dst: Reg, fd: number): this {
    this.#push({ code: CLS.LD | MODE.IMM | SIZE[8], dst, src: PSEUDO_MAP_FD, off: 0, imm: fd });
    return this.#push({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
  }

  call(helper: number): this {
    return this.#push({ code: CLS.JMP | 0x80, dst: 0, src: 0, off: 0, imm: helper });
  }

  exit(): this {
    return this.#push({ code: CLS.JMP | 0x90, dst: 0, src: 0, off: 0, imm: 0 });
  }

  /** The program as struct bpf_insn[] bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#insns.length * 8);
    const view = new DataView(out.buffer);
    const le = endianness() === "LE";
    this.#insns.forEach((insn, i) => {
      let off = insn.off;
      if (insn.label !== undefined) {
        const target = this.#labels.get(insn.label);
        if (target === undefined) throw invalid(`jump to undefined label ${insn.label}`);
        off = target - (i + 1);
      }
      if (off < -32768 || off > 32767) throw invalid(`offset ${off} out of range`);
      const o = i * 8;
      out[o] = insn.code;
      out[o + 1] = le ? (insn.dst & 0x0f) | ((insn.src & 0x0f) << 4) : ((insn.dst & 0x0f) << 4) | (insn.src & 0x0f);
      view.setInt16(o + 2, off, le);
      view.setInt32(o + 4, insn.imm | 0, le);
    });
    return out;
  }

  #push(insn: Insn): this {
    for (const r of [insn.dst, insn.src]) if (!Number.isInteger(r) || r < 0 || r > 10) throw invalid(`register r${r}`);
    if (!Number.isInteger(insn.off) || insn.off < -32768 || insn.off > 32767) throw invalid(`offset ${insn.off}`);
    if (!Number.isInteger(insn.imm) || insn.imm < -(2 ** 31) || insn.imm > 2 ** 32 - 1) throw invalid(`immediate ${insn.imm}`);
    this.#insns.push(insn);
    return this;
  }
}

function invalid(what: string): RawsockError {
  return new RawsockError("RAWSOCK_INVALID_ARGUMENT", `ebpf: ${what}`);
}

// ---- bpf(2) -------------------------------------------------------------------------------

const ATTR_SIZE = 144; // sizeof(union bpf_attr) in the kernel headers this was written against; zero tail is accepted

function attr(): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(ATTR_SIZE);
  return { bytes, view: new DataView(bytes.buffer) };
}

const LE = endianness() === "LE";

function putName(bytes: Uint8Array, at: number, name: string): void {
  // BPF object names: up to 15 characters of [A-Za-z0-9_.].
  if (!/^[A-Za-z0-9_.]{0,15}$/.test(name)) throw invalid(`object name ${JSON.stringify(name)}`);
  bytes.set(new TextEncoder().encode(name), at);
}

export interface MapSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly name: string;
}

/** BPF_MAP_CREATE -> the map's fd (close it with closeFd). */
export function createMap(spec: MapSpec): number {
  const a = attr();
  a.view.setUint32(0, spec.type, LE);
  a.view.setUint32(4, spec.keySize, LE);
  a.view.setUint32(8, spec.valueSize, LE);
  a.view.setUint32(12, spec.maxEntries, LE);
  putName(a.bytes, 28, spec.name);
  return sys("create a BPF map", PRIVILEGE, () => addon().bpf(BpfCmd.MAP_CREATE, a.bytes, []));
}

function elemAttr(fd: number): { bytes: Uint8Array; view: DataView } {
  const a = attr();
  a.view.setUint32(0, fd, LE);
  return a;
}

/** BPF_MAP_UPDATE_ELEM (BPF_ANY: create or replace). */
export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array): void {
  const a = elemAttr(fd);
  sys("update a BPF map", PRIVILEGE, () => addon().bpf(BpfCmd.MAP_UPDATE_ELEM, a.bytes, [8, key, 16, value]));
}

/** BPF_MAP_DELETE_ELEM; false when the key was not there. */
export function mapDelete(fd: number, key: Uint8Array): boolean {
  const a = elemAttr(fd);
  try {
    sys("delete from a BPF map", PRIVILEGE, () => addon().bpf(BpfCmd.MAP_DELETE_ELEM, a.bytes, [8, key]));
    return true;
  } catch (err) {
    if (err instanceof RawsockError && err.code === "RAWSOCK_ENOENT") return false;
    throw err;
  }
}

/** BPF_MAP_LOOKUP_ELEM; undefined when the key is not there. */
export function mapLookup(fd: number, key: Uint8Array, valueSize: number): Uint8Array | undefined {
  const a = elemAttr(fd);
  const value = new Uint8Array(valueSize);
  try {
    sys("read a BPF map", PRIVILEGE, () => addon().bpf(BpfCmd.MAP_LOOKUP_ELEM, a.bytes, [8, key, 16, value]));
    return value;
  } catch (err) {
    if (err instanceof RawsockError && err.code === "RAWSOCK_ENOENT") return undefined;
    throw err;
  }
}

export interface ProgramSpec {
  readonly type: number;
  readonly insns: Uint8Array;
  /** Programs that call GPL-only helpers need a GPL-compatible license. */
  readonly license: string;
  readonly name: string;
  readonly expectedAttachType?: number | undefined;
}

/** BPF_PROG_LOAD -> the program's fd. A rejected program's error carries the verifier's log. */
export function loadProgram(spec: ProgramSpec): number {
  if (spec.insns.length === 0 || spec.insns.length % 8 !== 0) throw invalid("a program is a non-empty array of 8-byte instructions");
  const a = attr();
  const license = new TextEncoder().encode(`${spec.license}\0`);
  const log = new Uint8Array(64 * 1024);
  a.view.setUint32(0, spec.type, LE);
  a.view.setUint32(4, spec.insns.length / 8, LE);
  a.view.setUint32(24, 1, LE); // log_level 1: the verifier explains a rejection
  a.view.setUint32(28, log.length, LE);
  putName(a.bytes, 48, spec.name);
  a.view.setUint32(68, spec.expectedAttachType ?? 0, LE);
  try {
    return sys("load a BPF program", PRIVILEGE, () => addon().bpf(BpfCmd.PROG_LOAD, a.bytes, [8, spec.insns, 16, license, 32, log]));
  } catch (err) {
    const end = log.indexOf(0);
    const text = new TextDecoder().decode(log.subarray(0, end < 0 ? log.length : end)).trim();
    if (err instanceof RawsockError && text !== "") {
      const details = { syscall: "bpf", ...(err.errno === undefined ? {} : { errno: err.errno }) };
      throw new RawsockError(err.code, `${err.message}; verifier: ${text.split("\n").slice(-6).join(" | ")}`, details);
    }
    throw err;
  }
}

/** BPF_LINK_CREATE for XDP on `ifindex` -> the link's fd. Closing it (or exiting) detaches the program. */
export function attachXdp(programFd: number, ifindex: number, flags = 0): number {
  return linkCreate(programFd, ifindex, BpfAttachType.XDP, flags, `attach an XDP program to interface ${ifindex}`);
}

/**
 * BPF_LINK_CREATE for tcx ingress (Linux 6.6+) on `ifindex`, after the
 * programs already there -> the link's fd. Unlike XDP, tcx holds several
 * programs per interface, so another agent's program (Cilium's, say) is not
 * displaced. Closing the fd (or exiting) detaches it.
 */
export function attachTcxIngress(programFd: number, ifindex: number): number {
  return linkCreate(programFd, ifindex, BpfAttachType.TCX_INGRESS, 0, `attach a tcx ingress program to interface ${ifindex}`);
}

function linkCreate(programFd: number, ifindex: number, attachType: number, flags: number, what: string): number {
  const a = attr();
  a.view.setUint32(0, programFd, LE);
  a.view.setUint32(4, ifindex, LE);
  a.view.setUint32(8, attachType, LE);
  a.view.setUint32(12, flags, LE);
  return sys(what, PRIVILEGE, () => addon().bpf(BpfCmd.LINK_CREATE, a.bytes, []));
}
