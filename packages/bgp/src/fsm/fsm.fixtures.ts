// Test helpers for the FSM: a configuration, OPENs from a well-behaved peer,
// and a driver that applies events on a fake clock and records actions.
import { expect } from "vitest";
import type { Capability } from "../capabilities.ts";
import type { OpenMessage } from "../open.ts";
import { initialState, step } from "./fsm.ts";
import type { ConnId, FsmAction, FsmConfig, FsmEvent, FsmState } from "./types.ts";

export const LOCAL_ID = 0x0a000001; // 10.0.0.1
export const PEER_ID = 0x0a000002; // 10.0.0.2

const caps: Capability[] = [
  { type: "multiprotocol", afi: 1, safi: 1 },
  { type: "multiprotocol", afi: 2, safi: 1 },
  { type: "route-refresh" },
  { type: "four-octet-as", as: 64512 },
];

export function config(overrides: Partial<FsmConfig> = {}): FsmConfig {
  return {
    localAs: 64512,
    peerAs: 64513,
    bgpId: LOCAL_ID,
    holdTime: 90,
    mode: "both",
    backoff: { initialMs: 1000, maxMs: 8000 },
    openSentHoldTime: 240,
    open: { type: "open", version: 4, myAs: 64512, holdTime: 90, bgpId: LOCAL_ID, capabilities: caps, parameters: [] },
    random: () => 1, // jitter factor 1.0: durations are exact
    ...overrides,
  };
}

export function peerOpen(overrides: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: "open",
    version: 4,
    myAs: 64513,
    holdTime: 30,
    bgpId: PEER_ID,
    capabilities: [{ type: "multiprotocol", afi: 1, safi: 1 }, { type: "four-octet-as", as: 64513 }],
    parameters: [],
    ...overrides,
  };
}

export class Driver {
  state: FsmState;
  now = 0;
  log: FsmAction[] = [];

  constructor(cfg: FsmConfig = config()) {
    this.state = initialState(cfg);
  }

  /** Advances the clock by `dt` ms, applies `e`, checks the old state was not mutated, returns the actions. */
  on(e: FsmEvent, dt = 0): FsmAction[] {
    this.now += dt;
    const before = structuredClone({ ...this.state, config: undefined });
    const old = this.state;
    const r = step(old, e, this.now);
    expect({ ...old, config: undefined }, "step must not mutate its input").toEqual(before);
    this.state = r.state;
    this.log.push(...r.actions);
    return [...r.actions];
  }

  get s(): string {
    return this.state.state;
  }

  timer(name: string): number | undefined {
    return this.state.timers[name];
  }

  /** Brings an outbound session to Established; returns the connection id. */
  establishOutbound(open: OpenMessage = peerOpen()): ConnId {
    const a = this.on({ type: "ManualStart" });
    const conn = (a.find((x) => x.type === "connect") as { conn: ConnId }).conn;
    this.on({ type: "TcpCrAcked", conn }, 5);
    this.on({ type: "BgpOpen", conn, open }, 5);
    this.on({ type: "KeepAliveMsg", conn }, 5);
    expect(this.s).toBe("Established");
    return conn;
  }
}

export const sent = (actions: readonly FsmAction[]) =>
  actions.filter((a): a is Extract<FsmAction, { type: "send" }> => a.type === "send").map((a) => a.message.type === "notification" ? `notification ${a.message.code}/${a.message.subcode}` : a.message.type);

export const stateChange = (actions: readonly FsmAction[]) => actions.find((a) => a.type === "stateChanged");
