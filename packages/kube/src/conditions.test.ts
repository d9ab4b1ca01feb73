import { expect, test } from "vitest";
import { removeCondition, setCondition } from "./conditions.ts";

const t0 = new Date("2026-01-01T00:00:00Z");
const t1 = new Date("2026-01-01T00:05:00Z");

test("lastTransitionTime moves only when the status flips", () => {
  const a = setCondition(undefined, { type: "ironlb.io/Allocated", status: "False", reason: "NoPool", message: "m" }, t0);
  expect(a.changed).toBe(true);
  expect(a.conditions[0]?.lastTransitionTime).toEqual(t0);
  const same = setCondition(a.conditions, { type: "ironlb.io/Allocated", status: "False", reason: "NoPool", message: "m" }, t1);
  expect(same.changed).toBe(false);
  const reason = setCondition(a.conditions, { type: "ironlb.io/Allocated", status: "False", reason: "PoolExhausted", message: "m" }, t1);
  expect(reason.changed).toBe(true);
  expect(reason.conditions[0]?.lastTransitionTime).toEqual(t0);
  const flip = setCondition(a.conditions, { type: "ironlb.io/Allocated", status: "True", reason: "Allocated", message: "ok" }, t1);
  expect(flip.conditions[0]?.lastTransitionTime).toEqual(t1);
});

test("other condition types are kept and the input is not mutated", () => {
  const other = [{ type: "Other", status: "True", reason: "X", message: "", lastTransitionTime: t0 }];
  const frozen = structuredClone(other);
  const r = setCondition(other, { type: "ironlb.io/Allocated", status: "True", reason: "Allocated", message: "" }, t1);
  expect(r.conditions.map((c) => c.type)).toEqual(["Other", "ironlb.io/Allocated"]);
  expect(other).toEqual(frozen);
  expect(removeCondition(r.conditions, "ironlb.io/Allocated")).toEqual({ conditions: other, changed: true });
  expect(removeCondition(other, "nope").changed).toBe(false);
});
