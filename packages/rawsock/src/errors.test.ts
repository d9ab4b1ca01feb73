import { describe, expect, it } from "vitest";
import { errnoName, syscallError } from "./errors.ts";

describe("syscallError", () => {
  it("codes an errno by name and says which capability is missing", () => {
    const e = syscallError("socket", 1, "open packet socket on eth0", "CAP_NET_RAW");
    expect(e.code).toBe("RAWSOCK_EPERM");
    expect(e.errno).toBe(1);
    expect(e.syscall).toBe("socket");
    expect(e.message).toMatch(/CAP_NET_RAW/);
    expect(syscallError("bind", 99, "bind").code).toBe("RAWSOCK_EADDRNOTAVAIL");
    expect(syscallError("setsockopt", 19, "x").code).toBe("RAWSOCK_ENODEV");
    expect(errnoName(11)).toBe("EAGAIN");
  });
});
