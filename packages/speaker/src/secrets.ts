// Reading one value out of a Secret: the BGP password (type
// kubernetes.io/basic-auth, key `password`, as MetalLB's BGPPeer
// passwordSecret) and the membership key (key `secretkey`, MetalLB's
// memberlist Secret). Values stay out of every message: problems name the
// Secret and the key, never the content.

export interface SecretObject {
  readonly type?: string | undefined;
  readonly data?: Readonly<Record<string, string>> | undefined;
}

export type SecretRead = { readonly ok: true; readonly value: string; readonly bytes: Uint8Array } | { readonly ok: false; readonly problem: "missing" | "wrong-type" | "no-key" | "empty" };

export function secretText(secret: SecretObject | undefined, key: string, type?: string): SecretRead {
  if (secret === undefined) return { ok: false, problem: "missing" };
  if (type !== undefined && secret.type !== type) return { ok: false, problem: "wrong-type" };
  const b64 = secret.data?.[key];
  if (b64 === undefined) return { ok: false, problem: "no-key" };
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length === 0) return { ok: false, problem: "empty" };
  return { ok: true, value: bytes.toString("utf8"), bytes: new Uint8Array(bytes) };
}
