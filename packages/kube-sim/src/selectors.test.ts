import { describe, expect, it } from "vitest";
import { KubeSimError } from "./errors.ts";
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from "./selectors.ts";

describe("label selectors", () => {
  const labels = { app: "web", tier: "front", version: "3", "ironlb.io/pool": "blue" };
  // [selector, matches `labels`]
  const cases: [string, boolean][] = [
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app=db", false],
    ["app!=db", true],
    ["app!=web", false],
    ["missing!=x", true], // != matches objects without the key
    ["app in (web,db)", true],
    ["app in (db, cache)", false],
    ["app notin (db)", true],
    ["app notin (web)", false],
    ["missing notin (x)", true],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["version>2", true],
    ["version<3", false],
    ["missing>1", false],
    ["ironlb.io/pool=blue", true],
    ["app=web,tier=front", true],
    ["app=web,tier=back", false],
    ["app in (web),!missing,tier", true],
    ["app=", false],
  ];
  it.each(cases)("%j matches: %s", (selector, want) => {
    expect(matchLabels(parseLabelSelector(selector), labels)).toBe(want);
  });

  it("an empty value matches an empty label", () => {
    expect(matchLabels(parseLabelSelector("empty="), { empty: "" })).toBe(true);
  });

  const bad = ["app=web,", "=web", "app in ()", "-bad=x", "app=web!", "version>x", "a b=c"];
  it.each(bad)("%j is a 400 BadRequest", (selector) => {
    try {
      parseLabelSelector(selector);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KubeSimError);
      expect((e as KubeSimError).code).toBe("BadRequest");
      expect((e as KubeSimError).httpStatus).toBe(400);
    }
  });
});

describe("field selectors", () => {
  const fields: Record<string, string> = { "metadata.name": "a,b", "spec.nodeName": "node-1", "metadata.namespace": "" };
  const get = (f: string): string | undefined => fields[f];
  const cases: [string, boolean][] = [
    ["", true],
    ["spec.nodeName=node-1", true],
    ["spec.nodeName==node-1", true],
    ["spec.nodeName!=node-1", false],
    ["spec.nodeName=node-2", false],
    ["metadata.name=a\\,b", true], // escaped comma
    ["metadata.namespace=", true],
    ["spec.nodeName=node-1,metadata.name!=x", true],
    ["spec.unknown=", true], // an absent field reads as ""
  ];
  it.each(cases)("%j matches: %s", (selector, want) => {
    expect(matchFields(parseFieldSelector(selector), get)).toBe(want);
  });

  it.each(["spec.nodeName", "a=b=c", "a=\\x"])("%j is a 400 BadRequest", (selector) => {
    expect(() => parseFieldSelector(selector)).toThrowError(KubeSimError);
  });
});
