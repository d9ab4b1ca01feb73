// Layer 2 owner election (reference §3.1 step 7): every speaker sorts the
// candidate nodes by the bytes of sha256(nodeName + "#" + ip), ascending, and
// the first one announces. It is stateless and needs no coordination: all
// speakers with the same candidate set reach the same answer, adding a node
// moves an IP only when the new node sorts first, and removing a non-owner
// moves nothing. `ip` is the text form of the service's first ingress IP
// (formatIp: dotted quad, RFC 5952 IPv6, as Go's net.IP.String()), the same
// for both families of a dual-stack service, so a shared IP lands on one node.
//
// Deliberately not here: choosing the candidates (liveness, ETP=Local
// endpoints, NetworkUnavailable, exclude labels, advertisement node
// selectors) and preferredNodeSelectors scoring; the speaker does that and
// passes the result in.
import { createHash } from "node:crypto";

/**
 * Candidates in election order, owner first. Input order is irrelevant;
 * duplicate names count once. Ties (two names with the same digest, which
 * sha256 does not produce in practice) fall back to the name so the order is
 * total.
 */
export function electionOrder(nodes: readonly string[], ip: string): string[] {
  const keyed = [...new Set(nodes)].map((node) => ({ node, digest: createHash("sha256").update(`${node}#${ip}`, "utf8").digest() }));
  keyed.sort((a, b) => Buffer.compare(a.digest, b.digest) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return keyed.map((k) => k.node);
}

/** The node that announces `ip`, or undefined when there is no candidate. */
export function electOwner(nodes: readonly string[], ip: string): string | undefined {
  let best: string | undefined;
  let bestDigest: Buffer | undefined;
  for (const node of nodes) {
    const digest = createHash("sha256").update(`${node}#${ip}`, "utf8").digest();
    const c = bestDigest === undefined ? -1 : Buffer.compare(digest, bestDigest);
    if (c < 0 || (c === 0 && best !== undefined && node < best)) {
      best = node;
      bestDigest = digest;
    }
  }
  return best;
}
