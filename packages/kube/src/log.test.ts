import { expect, test } from "vitest";
import { createLogger } from "./log.ts";

test("one JSON object per line with fixed and bound keys; below-level lines dropped", () => {
  const lines: string[] = [];
  const log = createLogger({ component: "controller", level: "info", write: (l) => lines.push(l), now: () => 0 });
  log.debug("hidden");
  log.with({ service: "default/web" }).info("assigned", { pool: "prod", ip: "198.51.100.1", error: new Error("x"), big: 5n });
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toEqual({
    ts: "1970-01-01T00:00:00.000Z", level: "info", component: "controller", msg: "assigned",
    service: "default/web", pool: "prod", ip: "198.51.100.1", error: "x", big: "5",
  });
});
