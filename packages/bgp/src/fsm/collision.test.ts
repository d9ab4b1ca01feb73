import { describe, expect, test } from "vitest";
import { resolveCollision } from "./collision.ts";

const out = { direction: "outbound" as const, id: 1 };
const inb = { direction: "inbound" as const, id: 2 };

describe("resolveCollision", () => {
  test.each([
    ["local id higher keeps ours", { localBgpId: 9, remoteBgpId: 5, localAs: 1, remoteAs: 2 }, out],
    ["remote id higher keeps theirs", { localBgpId: 5, remoteBgpId: 9, localAs: 1, remoteAs: 2 }, inb],
    ["equal ids, larger local AS keeps ours", { localBgpId: 5, remoteBgpId: 5, localAs: 3, remoteAs: 2 }, out],
    ["equal ids, larger remote AS keeps theirs", { localBgpId: 5, remoteBgpId: 5, localAs: 1, remoteAs: 2 }, inb],
  ])("%s", (_name, ids, want) => {
    expect(resolveCollision(out, inb, ids)).toBe(want);
    expect(resolveCollision(inb, out, ids)).toBe(want);
  });
  test("same direction: the newer connection wins", () => {
    const older = { direction: "inbound" as const, id: 3 };
    const newer = { direction: "inbound" as const, id: 4 };
    expect(resolveCollision(older, newer, { localBgpId: 9, remoteBgpId: 1, localAs: 1, remoteAs: 1 })).toBe(newer);
  });
});
