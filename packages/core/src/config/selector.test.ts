import { describe, expect, test } from "vitest";
import { matchesAnySelector, matchesSelector } from "./selector.ts";
import type { LabelSelector } from "./types.ts";

const sel = (matchLabels: Record<string, string>, matchExpressions: LabelSelector["matchExpressions"] = []): LabelSelector => ({ matchLabels, matchExpressions });

describe("matchesSelector", () => {
  const labels = { zone: "a", rack: "r1", gpu: "" };
  test.each([
    ["empty selector matches all", sel({}), true],
    ["matchLabels equal", sel({ zone: "a" }), true],
    ["matchLabels differ", sel({ zone: "b" }), false],
    ["matchLabels missing key", sel({ row: "1" }), false],
    ["In hit", sel({}, [{ key: "rack", operator: "In", values: ["r1", "r2"] }]), true],
    ["In miss", sel({}, [{ key: "rack", operator: "In", values: ["r3"] }]), false],
    ["In on absent key", sel({}, [{ key: "row", operator: "In", values: ["1"] }]), false],
    ["NotIn hit", sel({}, [{ key: "rack", operator: "NotIn", values: ["r1"] }]), false],
    ["NotIn on absent key matches", sel({}, [{ key: "row", operator: "NotIn", values: ["1"] }]), true],
    ["Exists with empty value", sel({}, [{ key: "gpu", operator: "Exists", values: [] }]), true],
    ["DoesNotExist", sel({}, [{ key: "gpu", operator: "DoesNotExist", values: [] }]), false],
    ["labels and expressions are ANDed", sel({ zone: "a" }, [{ key: "rack", operator: "In", values: ["r9"] }]), false],
  ])("%s", (_desc, selector, want) => {
    expect(matchesSelector(selector, labels)).toBe(want);
  });

  test("a list of selectors is ORed and the empty list matches everything", () => {
    expect(matchesAnySelector([], {})).toBe(true);
    expect(matchesAnySelector([sel({ zone: "b" }), sel({ rack: "r1" })], labels)).toBe(true);
    expect(matchesAnySelector([sel({ zone: "b" })], labels)).toBe(false);
  });
});
