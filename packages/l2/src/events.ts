// Typed events of the layer 2 announcer (libraries never log, house style 21).
// IPs are in text form and MACs lower-case "aa:bb:...", so an event is
// JSON-ready as is: `ironlb l2 probe` prints them one per line, the speaker
// turns them into logs, Kubernetes events and metrics.
import type { ConflictEvidence } from "./conflicts.ts";
import type { DropReason } from "./responder.ts";
import type { SkipReason } from "./selection.ts";

export type L2Protocol = "arp" | "ndp";

export type L2Event =
  /** An ARP request / NS about an IP we track, and what we did with it. */
  | { readonly type: "request"; readonly protocol: L2Protocol; readonly ip: string; readonly interface: string; readonly from: string; readonly result: "replied" | DropReason }
  | { readonly type: "probing"; readonly ip: string; readonly interfaces: readonly string[] }
  /** The IP is answered on these interfaces from now on (`probed`: a conflict probe came back clear). */
  | { readonly type: "announcing"; readonly ip: string; readonly interfaces: readonly string[]; readonly probed: boolean }
  | { readonly type: "gratuitous"; readonly protocol: L2Protocol; readonly ip: string; readonly interface: string; readonly round: number; readonly frames: number }
  /** Another host claims an IP we probe for or announce. */
  | {
      readonly type: "conflict";
      readonly ip: string;
      readonly interface: string;
      readonly foreignMac: string;
      readonly evidence: ConflictEvidence;
      readonly phase: "probing" | "announcing";
      /** While announcing: whether we sent a defending announcement (at most one per defend interval). */
      readonly defended: boolean;
    }
  /** The probe found a conflict: the IP is not announced; `retryInMs` until the next probe, if any. */
  | { readonly type: "refused"; readonly ip: string; readonly interface: string; readonly foreignMac: string; readonly retryInMs: number | undefined }
  | { readonly type: "withdrawn"; readonly ip: string }
  /** A kernel ARP responder was attached to an interface (tcx, or XDP on older kernels). */
  | { readonly type: "kernel-arp"; readonly interface: string; readonly hook: "tcx" | "xdp" }
  /** Requests the kernel fast path answered for the IP since the last such event (ARP, one reply each). */
  | { readonly type: "kernel-answered"; readonly ip: string; readonly answered: number }
  /** None of the interfaces requested for an IP exists or is eligible (MetalLB's announceFailed). */
  | { readonly type: "interfaces-missing"; readonly ip: string; readonly requested: readonly string[] }
  /** The set of interfaces answering changed (after a rescan). */
  | {
      readonly type: "interfaces";
      readonly arp: readonly string[];
      readonly ndp: readonly string[];
      readonly skipped: readonly { readonly name: string; readonly reason: SkipReason }[];
    }
  | {
      readonly type: "interface-error";
      readonly interface: string;
      readonly protocol: L2Protocol;
      readonly code: string;
      readonly message: string;
      /** The connection is gone (closed; the next rescan reopens it). */
      readonly fatal: boolean;
    };

export type L2EventSink = (event: L2Event) => void;
