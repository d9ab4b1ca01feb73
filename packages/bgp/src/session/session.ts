// One BGP session to one peer, sans-IO: the FSM, the codec and the
// Adj-RIB-Out put together, driven by a transport and a clock that are
// injected. The Node driver (../node) supplies real sockets and timers; tests
// supply fakes and a fake clock.
//
// The speaker's side is declarative (as MetalLB's Session.Set):
// `setAdvertisements(all)` replaces the whole wanted set. Until it is first
// called nothing is sent, not even End-of-RIB, so a graceful-restart peer keeps
// our previous routes while the speaker is still working out what they are;
// `setAdvertisements([])` means "withdraw everything". Pending changes are
// coalesced (only the latest set matters), diffed against what the peer has,
// packed into as few UPDATEs as the negotiated size allows, and written only
// while the transport accepts more (backpressure: `drained()` resumes). After
// a reconnect everything is sent again, then End-of-RIB per family (RFC 4724
// §2); a ROUTE-REFRESH re-sends its family (RFC 2918 §4).
//
// Received UPDATEs are decoded, checked (RFC 7606) and counted, never used.
import { formatIp, formatPrefix, ip, type IpAddress, type IpFamily } from "@ironlb/core/ip";
import { capabilityCode, capabilityName } from "../capabilities.ts";
import { CeaseSubcode, MessageType } from "../codes.ts";
import { baseContext, type CodecContext, codecContext } from "../context.ts";
import { endOfRib } from "../end-of-rib.ts";
import { BgpWireError } from "../errors.ts";
import { createFramer, type Framer } from "../framer.ts";
import { initialState, step, timerKey } from "../fsm/fsm.ts";
import type { Negotiated } from "../fsm/negotiate.ts";
import type { BgpState, ConnId, FsmAction, FsmEvent, FsmState, TimerName } from "../fsm/types.ts";
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from "../header.ts";
import { badMessageType, decodeMessage, encodeMessage, type Message } from "../message.ts";
import { ceaseNotification, describeNotification, type NotificationMessage } from "../notification.ts";
import { prefixBytes } from "../nlri.ts";
import { unicastFamily } from "../attributes/mp-reach.ts";
import { type Advertisement, advertisementKey, type AttributeSet, type PeerContext, resolveAttributes, type SkipReason } from "./advertisement.ts";
import { emptyKinds, type MessageKind, type SessionCounters, type SessionEvent } from "./events.ts";
import { buildOpen, resolveOptions, type ResolvedOptions, type SessionOptions } from "./options.ts";
import { announceRoom } from "./packer.ts";
import { RibIn } from "./receive.ts";
import { type DesiredRoute, RibOut, type WantedRoute } from "./rib-out.ts";

/** What the session needs from the outside world. */
export interface SessionTransport {
  /** Open an outbound TCP connection; report it with connected() or connectFailed(). */
  connect(conn: ConnId): void;
  /** Queue bytes; false means "buffer full": call drained(conn) once it empties. */
  write(conn: ConnId, bytes: Uint8Array): boolean;
  /** Close after writing what was queued. */
  close(conn: ConnId): void;
  setTimer(key: string, ms: number): void;
  clearTimer(key: string): void;
}

export interface SessionDeps {
  readonly transport: SessionTransport;
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  /** [0, 1); defaults to Math.random. */
  readonly random?: (() => number) | undefined;
  readonly onEvent?: ((e: SessionEvent) => void) | undefined;
}

export interface Endpoints {
  readonly localAddress: IpAddress | undefined;
  readonly remoteAddress: IpAddress | undefined;
}

interface Conn {
  readonly id: ConnId;
  readonly framer: Framer;
  ctx: CodecContext;
  endpoints: Endpoints;
  writable: boolean;
}

interface EstablishedSession {
  readonly conn: ConnId;
  readonly negotiated: Negotiated;
  readonly peer: PeerContext;
  readonly maxLength: number;
  readonly sets: Map<string, AttributeSet | SkipReason | "attributes-too-large">;
  readonly eorPending: Set<IpFamily>;
}

interface DesiredEntry extends DesiredRoute {
  readonly advKey: string;
}

const kindOf: Record<number, MessageKind> = {
  [MessageType.Open]: "open",
  [MessageType.Update]: "update",
  [MessageType.Notification]: "notification",
  [MessageType.Keepalive]: "keepalive",
  [MessageType.RouteRefresh]: "route-refresh",
};

const BATCH_BYTES = 64 * 1024; // one write per batch: fewer syscalls than one per UPDATE

export class Session {
  readonly options: ResolvedOptions;
  readonly #deps: SessionDeps;
  #fsm: FsmState;
  readonly #conns = new Map<ConnId, Conn>();
  #est: EstablishedSession | undefined;
  // prefix key -> wanted route; undefined until the first setAdvertisements
  #desired: Map<string, DesiredEntry> | undefined;
  readonly #ribOut = new RibOut();
  readonly #ribIn = new RibIn();
  #restarting: boolean;
  #queue: FsmEvent[] = [];
  #dispatching = false;
  #offer: { endpoints: Endpoints; attach: (conn: ConnId) => void; accepted: boolean } | undefined;
  #skipped = 0;
  #lastSkipSummary = "";
  readonly #in = emptyKinds();
  readonly #out = emptyKinds();
  #updatesSent = 0;
  #establishedCount = 0;

  constructor(options: SessionOptions, deps: SessionDeps) {
    this.options = resolveOptions(options);
    this.#deps = deps;
    this.#restarting = options.gracefulRestart?.restarting === true;
    const o = this.options;
    this.#fsm = initialState({
      localAs: o.localAs,
      peerAs: o.peerAs,
      bgpId: o.bgpId,
      holdTime: o.holdTime,
      keepaliveTime: o.keepaliveTime,
      open: buildOpen(o, this.#restarting),
      mode: o.mode,
      backoff: { initialMs: o.reconnectInitialMs, maxMs: o.connectRetryTime * 1000 },
      openSentHoldTime: o.openSentHoldTime,
      random: deps.random ?? Math.random,
    });
  }

  get state(): BgpState {
    return this.#fsm.state;
  }

  /** The negotiated parameters while Established. */
  get negotiated(): Negotiated | undefined {
    return this.#est?.negotiated;
  }

  /** The connection currently Established, if any (for a liveness detector such as BFD). */
  get establishedConnection(): ConnId | undefined {
    return this.#est?.conn;
  }

  counters(): SessionCounters {
    return {
      state: this.#fsm.state,
      messagesIn: { ...this.#in },
      messagesOut: { ...this.#out },
      updatesSent: this.#updatesSent,
      prefixesAdvertised: this.#ribOut.advertised,
      prefixesPending: this.#ribOut.pending,
      prefixesSkipped: this.#skipped,
      prefixesReceived: { ipv4: this.#ribIn.count("ipv4"), ipv6: this.#ribIn.count("ipv6") },
      establishedTransitions: this.#establishedCount,
    };
  }

  // --- the speaker's side ----------------------------------------------------

  start(options: { readonly passive?: boolean | undefined } = {}): void {
    this.#dispatch({ type: options.passive === true ? "ManualStartWithPassiveTcpEstablishment" : "ManualStart" });
  }

  /**
   * Stops the session. By default sends Cease / Administrative Shutdown with
   * `message` as the RFC 9003 shutdown communication. `graceful` closes
   * without NOTIFICATION so a graceful-restart peer keeps our routes (RFC 4724).
   */
  stop(options: { readonly message?: string | undefined; readonly graceful?: boolean | undefined; readonly notification?: NotificationMessage | undefined } = {}): void {
    const notification = options.notification ?? ceaseNotification(CeaseSubcode.AdministrativeShutdown, options.message);
    this.#dispatch({ type: "ManualStop", notification, graceful: options.graceful === true });
  }

  /**
   * Replaces everything this session should announce. Prefixes are unique:
   * when the same prefix appears twice, the later advertisement wins.
   */
  setAdvertisements(all: Iterable<Advertisement>): void {
    const previous = this.#desired;
    const next = new Map<string, DesiredEntry>();
    for (const adv of all) {
      const p = adv.prefix;
      const key = `${p.family === "ipv4" ? 4 : 6}/${p.network}/${p.length}`;
      const advKey = advertisementKey(adv);
      const old = previous?.get(key);
      next.set(key, old !== undefined && old.advKey === advKey ? old : { key, prefix: p, nlri: old?.nlri ?? prefixBytes(p), advertisement: adv, advKey });
    }
    this.#desired = next;
    this.#replan();
    this.#flush();
  }

  /** Asks the peer to re-send its routes of `family` (RFC 2918), if it supports it. */
  requestRouteRefresh(family: IpFamily): boolean {
    const est = this.#est;
    if (est === undefined || !est.negotiated.routeRefresh || !est.negotiated.families.includes(family)) return false;
    this.#send(est.conn, { type: "route-refresh", afi: family === "ipv4" ? 1 : 2, subtype: 0, safi: 1 });
    return true;
  }

  // --- the driver's side -----------------------------------------------------

  /** Our outbound connection `conn` is up. */
  connected(conn: ConnId, endpoints: Endpoints): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    c.endpoints = endpoints;
    this.#dispatch({ type: "TcpCrAcked", conn });
  }

  connectFailed(conn: ConnId): void {
    this.#dispatch({ type: "TcpConnectionFails", conn });
  }

  /**
   * The peer connected to us. Returns true if the session takes the
   * connection, having called `attach(conn)` before anything is written to it;
   * false means the caller must close it.
   */
  offerInbound(endpoints: Endpoints, attach: (conn: ConnId) => void): boolean {
    this.#offer = { endpoints, attach, accepted: false };
    try {
      this.#dispatch({ type: "TcpConnectionConfirmed" });
      return this.#offer.accepted;
    } finally {
      this.#offer = undefined;
    }
  }

  /** Bytes arrived on `conn`. */
  received(conn: ConnId, chunk: Uint8Array): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    let frames: Uint8Array[];
    try {
      frames = c.framer.push(chunk);
    } catch (err) {
      if (!(err instanceof BgpWireError)) throw err;
      this.#dispatch({ type: "BgpHeaderErr", conn, error: err });
      return;
    }
    for (const frame of frames) {
      if (!this.#conns.has(conn)) return; // closed by an earlier message of the same chunk
      this.#frame(c, frame);
    }
  }

  /** The TCP connection ended (peer closed, reset, or error). */
  closed(conn: ConnId): void {
    if (!this.#conns.has(conn)) return;
    this.#dispatch({ type: "TcpConnectionFails", conn });
  }

  /** The transport can take more bytes on `conn`. */
  drained(conn: ConnId): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    c.writable = true;
    this.#flush();
  }

  timerFired(key: string): void {
    const [name, conn] = key.split(":") as [TimerName, string | undefined];
    const id = Number(conn);
    switch (name) {
      case "connectRetry":
        return this.#dispatch({ type: "ConnectRetryTimerExpires" });
      case "idleHold":
        return this.#dispatch({ type: "IdleHoldTimerExpires" });
      case "hold":
        return this.#dispatch({ type: "HoldTimerExpires", conn: id });
      case "keepalive":
        return this.#dispatch({ type: "KeepaliveTimerExpires", conn: id });
    }
  }

  // --- internals -------------------------------------------------------------

  #emit(e: SessionEvent): void {
    this.#deps.onEvent?.(e);
  }

  #dispatch(event: FsmEvent): void {
    this.#queue.push(event);
    if (this.#dispatching) return; // re-entered from a transport callback: run after the current event
    this.#dispatching = true;
    try {
      for (let e = this.#queue.shift(); e !== undefined; e = this.#queue.shift()) {
        const r = step(this.#fsm, e, this.#deps.now());
        this.#fsm = r.state;
        for (const a of r.actions) this.#run(a);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #newConn(id: ConnId, endpoints: Endpoints): void {
    // RFC 8654 §4: what we accept depends on what we advertised.
    this.#conns.set(id, { id, framer: createFramer({ extendedMessage: this.options.extendedMessage }), ctx: baseContext, endpoints, writable: true });
  }

  #run(a: FsmAction): void {
    const t = this.#deps.transport;
    switch (a.type) {
      case "connect":
        this.#newConn(a.conn, { localAddress: undefined, remoteAddress: undefined });
        t.connect(a.conn);
        return;
      case "accept":
        if (this.#offer === undefined) return;
        this.#newConn(a.conn, this.#offer.endpoints);
        this.#offer.accepted = true;
        this.#offer.attach(a.conn);
        return;
      case "reject":
        return;
      case "send":
        this.#send(a.conn, a.message);
        return;
      case "close":
        this.#conns.delete(a.conn);
        t.close(a.conn);
        return;
      case "startTimer":
        t.setTimer(timerKey(a.timer, a.conn), a.ms);
        return;
      case "stopTimer":
        t.clearTimer(timerKey(a.timer, a.conn));
        return;
      case "established":
        this.#established(a.conn, a.negotiated);
        return;
      case "stateChanged":
        if (a.from === "Established" && a.to !== "Established") this.#down();
        this.#emit({ type: "stateChanged", from: a.from, to: a.to, reason: a.reason });
        return;
    }
  }

  #send(conn: ConnId, m: Message): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    const bytes = encodeMessage(m, c.ctx);
    this.#out[m.type]++;
    if (m.type === "notification") this.#emit({ type: "notificationSent", ...describeNotification(m) });
    if (!this.#deps.transport.write(conn, bytes)) c.writable = false;
  }

  #frame(c: Conn, frame: Uint8Array): void {
    const type = frame[18] as number;
    const kind = kindOf[type] ?? "unknown";
    this.#in[kind]++;
    let decoded;
    try {
      decoded = decodeMessage(frame, c.ctx);
    } catch (err) {
      if (!(err instanceof BgpWireError)) throw err;
      const conn = c.id;
      if (type === MessageType.Open) this.#dispatch({ type: "BgpOpenMsgErr", conn, error: err });
      else if (type === MessageType.Update) this.#dispatch({ type: "UpdateMsgErr", conn, error: err });
      else this.#dispatch({ type: "BgpHeaderErr", conn, error: err });
      return;
    }
    const m = decoded.message;
    const conn = c.id;
    switch (m.type) {
      case "open":
        this.#emit({ type: "peerCapabilities", capabilities: m.capabilities.map((cap) => ({ ...cap, name: capabilityName(capabilityCode(cap)) })) });
        this.#dispatch({ type: "BgpOpen", conn, open: m });
        {
          const n = this.#fsm.connections.find((x) => x.id === conn)?.negotiated;
          if (n !== undefined) c.ctx = codecContext({ fourOctetAs: n.fourOctetAs, extendedMessage: n.extendedMessage });
        }
        return;
      case "update": {
        const est = this.#est;
        if (est !== undefined && est.conn === conn) {
          const out = this.#ribIn.apply(m, decoded.remedy, est.negotiated.external);
          if (out.remedy !== undefined) {
            const worst = decoded.errors.find((e) => e.remedy === out.remedy) ?? decoded.errors[0];
            this.#emit({ type: "updateError", remedy: out.remedy, code: worst?.code ?? 3, subcode: worst?.subcode ?? 0, detail: worst?.message ?? "attribute not allowed from this peer" });
          }
          if (out.disabled !== undefined) this.#emit({ type: "familyDisabled", family: out.disabled });
          if (out.endOfRib !== undefined) this.#emit({ type: "endOfRibReceived", family: out.endOfRib, routes: this.#ribIn.count(out.endOfRib) });
        }
        this.#dispatch({ type: "UpdateMsg", conn });
        return;
      }
      case "notification":
        this.#emit({ type: "notificationReceived", ...describeNotification(m) });
        this.#dispatch({ type: "NotifMsg", conn, notification: m });
        return;
      case "keepalive":
        this.#dispatch({ type: "KeepAliveMsg", conn });
        return;
      case "route-refresh": {
        this.#dispatch({ type: "RouteRefreshMsg", conn });
        const est = this.#est;
        const family = unicastFamily(m.afi, m.safi);
        // RFC 2918 §4: re-send the family; RFC 7313 BoRR/EoRR subtypes are not requests.
        if (est !== undefined && est.conn === conn && family !== undefined && m.subtype === 0 && est.negotiated.families.includes(family)) {
          this.#emit({ type: "routeRefreshReceived", family });
          this.#replan(new Set([family]));
          this.#flush();
        }
        return;
      }
      case "unknown":
        this.#dispatch({ type: "BgpHeaderErr", conn, error: badMessageType(m.messageType) });
        return;
    }
  }

  #established(conn: ConnId, n: Negotiated): void {
    const c = this.#conns.get(conn);
    const ctx = codecContext({ fourOctetAs: n.fourOctetAs, extendedMessage: n.extendedMessage });
    if (c !== undefined) c.ctx = ctx;
    this.#establishedCount++;
    this.#est = {
      conn,
      negotiated: n,
      peer: { localAs: this.options.localAs, external: n.external, codec: ctx, localAddress: c?.endpoints.localAddress, nextHop: this.options.nextHop },
      maxLength: n.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
      sets: new Map(),
      eorPending: new Set(n.families),
    };
    this.#ribOut.clear();
    this.#ribIn.clear();
    const fmt = (a: IpAddress | undefined) => (a === undefined ? undefined : formatIp(a));
    this.#emit({
      type: "established",
      peerAs: n.peerAs,
      peerRouterId: formatIp(ip("ipv4", BigInt(n.peerBgpId))),
      holdTime: n.holdTime,
      keepaliveTime: n.keepaliveTime,
      families: n.families,
      fourOctetAs: n.fourOctetAs,
      extendedMessage: n.extendedMessage,
      routeRefresh: n.routeRefresh,
      peerGracefulRestart: n.peerGracefulRestart !== undefined,
      localAddress: fmt(c?.endpoints.localAddress),
      remoteAddress: fmt(c?.endpoints.remoteAddress),
    });
    this.#replan();
    this.#flush();
  }

  #down(): void {
    this.#est = undefined;
    this.#ribOut.clear();
    this.#ribIn.clear();
  }

  /** Recomputes what to send from the wanted set and what the peer has. */
  #replan(resend?: ReadonlySet<IpFamily>): void {
    const est = this.#est;
    const desired = this.#desired;
    if (est === undefined || desired === undefined) return;
    // An array and a membership test rather than a map: no per-prefix hashing on the burst after Established.
    const wanted: WantedRoute[] = [];
    const skippedKeys = new Set<string>();
    const skipped = new Map<string, { reason: SkipReason | "attributes-too-large"; family: IpFamily; count: number; example: string }>();
    for (const route of desired.values()) {
      const family = route.prefix.family;
      let set: AttributeSet | SkipReason | "attributes-too-large" | undefined = est.negotiated.families.includes(family) ? est.sets.get(route.advKey) : "family-not-negotiated";
      if (set === undefined) {
        set = resolveAttributes(route.advertisement, est.peer);
        // Even a /128 must fit beside the attributes.
        if (typeof set !== "string" && announceRoom(set, est.maxLength) < 17) set = "attributes-too-large";
        est.sets.set(route.advKey, set);
      }
      if (typeof set === "string") {
        const k = `${set}|${family}`;
        const s = skipped.get(k);
        if (s === undefined) skipped.set(k, { reason: set, family, count: 1, example: formatPrefix(route.prefix) });
        else s.count++;
        skippedKeys.add(route.key);
        continue;
      }
      wanted.push({ route, set });
    }
    this.#ribOut.plan({ values: () => wanted, has: (key) => desired.has(key) && !skippedKeys.has(key) }, resend);
    this.#skipped = [...skipped.values()].reduce((n, s) => n + s.count, 0);
    const summary = [...skipped.entries()].map(([k, s]) => `${k}:${s.count}`).join(";");
    if (summary !== this.#lastSkipSummary) {
      this.#lastSkipSummary = summary;
      for (const s of skipped.values()) this.#emit({ type: "advertisementsSkipped", ...s });
    }
  }

  /** Writes pending UPDATEs while the transport accepts them; End-of-RIB after the first full burst. */
  #flush(): void {
    const est = this.#est;
    if (est === undefined || this.#desired === undefined) return;
    const c = this.#conns.get(est.conn);
    if (c === undefined) return;
    while (c.writable) {
      const batch: Uint8Array[] = [];
      let size = 0;
      let count = 0;
      while (size < BATCH_BYTES) {
        const u = this.#ribOut.next(est.maxLength);
        if (u === undefined) break;
        batch.push(u.bytes);
        size += u.bytes.length;
        count++;
      }
      if (batch.length === 0 && est.eorPending.size > 0) {
        for (const family of est.eorPending) {
          const bytes = encodeMessage(endOfRib(family), c.ctx);
          batch.push(bytes);
          size += bytes.length;
          count++;
          this.#emit({ type: "endOfRibSent", family, routes: this.#ribOut.advertised });
        }
        est.eorPending.clear();
        if (this.#restarting) this.#clearRestarting();
      }
      if (batch.length === 0) return;
      const out = batch.length === 1 ? (batch[0] as Uint8Array) : concat(batch, size);
      this.#updatesSent += count;
      this.#out.update += count;
      if (!this.#deps.transport.write(c.id, out)) c.writable = false;
    }
  }

  /** RFC 4724 §3: the R bit belongs to the first session after a restart only. */
  #clearRestarting(): void {
    this.#restarting = false;
    this.#fsm = { ...this.#fsm, config: { ...this.#fsm.config, open: buildOpen(this.options, false) } };
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
