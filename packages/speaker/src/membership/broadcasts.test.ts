import { describe, expect, it } from "vitest";
import { BroadcastQueue } from "./broadcasts.ts";

const msg = (tag: number, size = 10) => new Uint8Array(size).fill(tag);

describe("BroadcastQueue", () => {
  it("news about a member replaces older news about it", () => {
    const q = new BroadcastQueue();
    q.enqueue("n1", msg(1));
    q.enqueue("n1", msg(2));
    expect(q.size).toBe(1);
    expect(q.take(100, 4)).toEqual([msg(2)]);
  });

  it("takes least-sent first, newest first among equals, and drops after the limit", () => {
    const q = new BroadcastQueue();
    q.enqueue("a", msg(1));
    q.enqueue("b", msg(2));
    expect(q.take(10, 2)).toEqual([msg(2)]); // room for one: the newest
    expect(q.take(10, 2)).toEqual([msg(1)]); // a was sent less often
    expect(q.take(100, 2)).toEqual([msg(2), msg(1)]);
    expect(q.size).toBe(0); // both reached 2 sends
  });

  it("skips what does not fit and fills the rest", () => {
    const q = new BroadcastQueue();
    q.enqueue("big", msg(1, 50));
    q.enqueue("small", msg(2, 5));
    expect(q.take(20, 4)).toEqual([msg(2, 5)]);
    expect(q.take(0, 4)).toEqual([]);
  });
});
