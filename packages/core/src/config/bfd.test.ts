import { runScenarios, type Scenario } from "./scenarios.fixtures.ts";

/** bfd-profiles on line 1, the profile's name on line 2, `extra` from line 3. */
const profile = (extra = "") => `bfd-profiles:\n- name: fast\n${extra}`;

const table: Scenario[] = [
  {
    desc: "a profile with every field",
    yaml: profile(
      "  receive-interval: 300\n  transmit-interval: 300\n  detect-multiplier: 3\n  echo-interval: 50\n  echo-mode: true\n  passive-mode: true\n  minimum-ttl: 254\n",
    ),
    want: {
      bfdProfiles: [
        { name: "fast", receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: true, passiveMode: true, minimumTtl: 254 },
      ],
    },
    wantWarnings: [{ code: "BFD_NOT_ACTIVE", path: "bfd-profiles", line: 1 }],
  },
  {
    desc: "a profile with only a name leaves the values to the implementation",
    yaml: profile(),
    want: { bfdProfiles: [{ name: "fast", receiveInterval: null, transmitInterval: null, detectMultiplier: null, echoInterval: null, echoMode: false, passiveMode: false, minimumTtl: null }] },
  },
  { desc: "the lowest values", yaml: profile("  receive-interval: 10\n  detect-multiplier: 2\n  minimum-ttl: 1\n"), want: { bfdProfiles: [{ receiveInterval: 10, detectMultiplier: 2, minimumTtl: 1 }] } },
  { desc: "the highest values", yaml: profile("  transmit-interval: 60000\n  detect-multiplier: 255\n  echo-interval: 60000\n"), want: { bfdProfiles: [{ transmitInterval: 60000, detectMultiplier: 255 }] } },
  { desc: "receive-interval 9", yaml: profile("  receive-interval: 9\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].receive-interval", line: 3 }] },
  { desc: "transmit-interval 60001", yaml: profile("  transmit-interval: 60001\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].transmit-interval", line: 3 }] },
  { desc: "echo-interval 5", yaml: profile("  echo-interval: 5\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].echo-interval", line: 3 }] },
  { desc: "detect-multiplier 1", yaml: profile("  detect-multiplier: 1\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].detect-multiplier", line: 3 }] },
  { desc: "detect-multiplier 256", yaml: profile("  detect-multiplier: 256\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].detect-multiplier", line: 3 }] },
  { desc: "minimum-ttl 0", yaml: profile("  minimum-ttl: 0\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].minimum-ttl", line: 3 }] },
  { desc: "minimum-ttl 255", yaml: profile("  minimum-ttl: 255\n"), wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].minimum-ttl", line: 3 }] },
  { desc: "echo-mode not a boolean", yaml: profile("  echo-mode: sometimes\n"), wantErrors: [{ code: "INVALID_TYPE", path: "bfd-profiles[0].echo-mode", line: 3 }] },
  { desc: "a profile without a name", yaml: "bfd-profiles:\n- detect-multiplier: 3\n", wantErrors: [{ code: "MISSING_FIELD", path: "bfd-profiles[0].name", line: 2 }] },
  { desc: "a profile name used twice", yaml: "bfd-profiles:\n- name: fast\n- name: fast\n", wantErrors: [{ code: "DUPLICATE_BFD_PROFILE", path: "bfd-profiles[1].name", line: 3 }] },
  { desc: "unknown profile key", yaml: profile("  multiplier: 3\n"), wantErrors: [{ code: "UNKNOWN_KEY", path: "bfd-profiles[0].multiplier", line: 3 }] },
  {
    desc: "a peer naming a profile whose own fields are wrong is not told the profile is unknown",
    yaml: "bfd-profiles:\n- name: fast\n  minimum-ttl: 0\npeers:\n- {my-asn: 1, peer-asn: 2, peer-address: 10.99.0.1, bfd-profile: fast}\n",
    wantErrors: [{ code: "OUT_OF_RANGE", path: "bfd-profiles[0].minimum-ttl", line: 3 }],
  },
];

runScenarios("bfd profiles", table);
