import { describe, expect, test } from "vitest";
import { unhex } from "./codec-laws.fixtures.ts";
import { CeaseSubcode, errorCodeName, errorSubcodeName, FsmSubcode } from "./codes.ts";
import { ceaseNotification, describeNotification, shutdownMessage } from "./notification.ts";

describe("NOTIFICATION meaning", () => {
  test("RFC 9003 shutdown communication round-trips and is named", () => {
    const n = ceaseNotification(CeaseSubcode.AdministrativeShutdown, "maintenance: rack 7 ✓");
    expect(shutdownMessage(n)).toBe("maintenance: rack 7 ✓");
    expect(describeNotification(n)).toEqual({
      code: 6,
      subcode: 2,
      codeName: "Cease",
      subcodeName: "Administrative Shutdown",
      message: "maintenance: rack 7 ✓",
    });
  });

  test("a long message is cut to 255 bytes without splitting a UTF-8 sequence", () => {
    const n = ceaseNotification(CeaseSubcode.AdministrativeReset, "é".repeat(200));
    expect(n.data[0]).toBe(254);
    expect(shutdownMessage(n)).toBe("é".repeat(127));
  });

  test("a bad or missing shutdown communication is ignored, not an error (RFC 9003 §4)", () => {
    const base = { type: "notification" as const, code: 6, subcode: 2 };
    expect(shutdownMessage({ ...base, data: unhex("05 6869") })).toBeUndefined();
    expect(shutdownMessage({ ...base, data: unhex("02 c328") })).toBeUndefined();
    expect(shutdownMessage({ ...base, data: new Uint8Array(0) })).toBeUndefined();
    expect(shutdownMessage({ ...base, subcode: 7, data: unhex("02 6869") })).toBeUndefined();
  });

  test("only subcodes 2 and 4 carry a communication", () => {
    expect(() => ceaseNotification(CeaseSubcode.ConnectionCollisionResolution, "x")).toThrow(expect.objectContaining({ code: "BGP_ASSERTION" }));
  });

  test("names cover RFC 4271, 4486, 6608, 7313 and unknown values", () => {
    expect(errorSubcodeName(5, FsmSubcode.UnexpectedMessageInOpenConfirm)).toBe("Receive Unexpected Message in OpenConfirm State");
    expect(errorSubcodeName(6, 7)).toBe("Connection Collision Resolution");
    expect(errorSubcodeName(2, 6)).toBe("Unacceptable Hold Time");
    expect(errorSubcodeName(7, 1)).toBe("Invalid Message Length");
    expect(errorCodeName(42)).toBe("error-code-42");
    expect(errorSubcodeName(6, 99)).toBe("subcode-99");
  });
});
