// vitest glue for lab suites: `describeLab(name, requirements, body)` runs the
// body with a fresh Lab that afterAll cleans up. When a prerequisite is missing
// it skips with a loud warning, except when CI is set: then the suite holds one
// failing test that names what is missing, so CI goes red instead of quietly
// green. Kept apart from netns.ts so benchmarks can use the harness without vitest.
import { afterAll, describe, it } from "vitest";
import { LabError } from "./errors.ts";
import { Lab } from "./netns.ts";
import { checkPrerequisites, inCi, type Requirements } from "./prereq.ts";

export function describeLab(name: string, requirements: Requirements, body: (lab: Lab) => void): void {
  const report = checkPrerequisites(requirements);
  if (report.ok) {
    describe(name, () => {
      const lab = new Lab({ tag: name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 24) });
      afterAll(() => lab.cleanup());
      body(lab);
    });
    return;
  }
  if (inCi()) {
    describe(name, () => {
      it("has its prerequisites (CI is set, so this fails instead of skipping)", () => {
        throw new LabError("LAB_PREREQUISITE_MISSING", `${name}: ${report.reason}`);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${name}": ${report.reason}\n!!! (set CI=1 to turn this skip into a failure)\n`);
  // Collected but skipped; the lab is never started because no test runs.
  describe.skip(name, () => body(new Lab()));
}
