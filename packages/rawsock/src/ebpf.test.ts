import { endianness } from "node:os";
import { describe, expect, it } from "vitest";
import { RawsockError } from "./errors.ts";
import { EbpfAssembler } from "./ebpf.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").match(/.{16}/g) ?? [];

// Expected encodings as `llvm-objdump -d` prints them for a BPF object (little endian).
describe.runIf(endianness() === "LE")("EbpfAssembler", () => {
  it("encodes moves, loads, stores, atomics, calls and exit as struct bpf_insn", () => {
    const a = new EbpfAssembler()
      .aluReg("mov", 6, 1) // r6 = r1
      .load(4, 7, 6, 4) // r7 = *(u32 *)(r6 + 4)
      .load(2, 2, 7, 12) // r2 = *(u16 *)(r7 + 12)
      .store(4, 10, -4, 2) // *(u32 *)(r10 - 4) = r2
      .storeImm(2, 7, 20, 0x0200) // *(u16 *)(r7 + 20) = 512
      .alu("add", 2, -4) // r2 += -4
      .atomicAdd64(0, 0, 1) // lock *(u64 *)(r0 + 0) += r1
      .call(1)
      .exit();
    expect(hex(a.bytes())).toEqual([
      "bf16000000000000",
      "6167040000000000",
      "69720c0000000000",
      "632afcff00000000",
      "6a07140000020000",
      "07020000fcffffff",
      "db10000000000000",
      "8500000001000000",
      "9500000000000000",
    ]);
  });

  it("loads a map by fd as a 16-byte ld_imm64 marked BPF_PSEUDO_MAP_FD", () => {
    expect(hex(new EbpfAssembler().loadMap(1, 7).bytes())).toEqual(["1811000007000000", "0000000000000000"]);
  });

  it("resolves labels forward and backward, counting a ld_imm64 as two slots; 32-bit jumps use the JMP32 class", () => {
    const a = new EbpfAssembler()
      .label("top")
      .jump32("jne", 2, 0xffffffff, "out") // 0 -> out (slot 5): off 4
      .loadMap(1, 3) // slots 1-2
      .jumpReg("jgt", 2, 8, "top") // 3 -> 0: off -4
      .goto("out") // 4 -> 5: off 0
      .label("out")
      .exit();
    expect(hex(a.bytes())).toEqual(["56020400ffffffff", "1811000003000000", "0000000000000000", "2d82fcff00000000", "0500000000000000", "9500000000000000"]);
  });

  it("refuses what cannot be encoded", () => {
    expect(() => new EbpfAssembler().goto("nowhere").bytes()).toThrow(RawsockError);
    expect(() => new EbpfAssembler().label("x").label("x")).toThrow(/defined twice/);
    expect(() => new EbpfAssembler().load(4, 11 as 1, 1, 0)).toThrow(/register r11/);
    expect(() => new EbpfAssembler().alu("add", 1, 2 ** 32)).toThrow(/immediate/);
  });
});
