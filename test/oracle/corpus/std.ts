import type { OracleCase } from "./case.ts";
import { EKU } from "./cert-build.ts";
import type { Der } from "./der-write.ts";
import type { CorpusPki, Issued, IssueOpts } from "./pki.ts";
import { NOW } from "./pki.ts";

/** Shared by the hand-picked case files: the registry name and a root → intermediate → leaf PKI. */

export const HOST = "registry.oracle.test";
export const IP = "10.20.30.40";
const DAY = 86_400_000;
export const before = (days: number) => new Date(NOW.getTime() - days * DAY);
export const after = (days: number) => new Date(NOW.getTime() + days * DAY);

export interface Std {
  root: Issued;
  inter: Issued;
  leaf: Issued;
}

/** root → intermediate → leaf for HOST, with per-certificate overrides. */
export function std(
  pki: CorpusPki,
  tag: string,
  o: { root?: Partial<IssueOpts>; inter?: Partial<IssueOpts>; leaf?: Partial<IssueOpts> } = {},
): Std {
  const root = pki.issue({ subject: { cn: `${tag} Root`, o: "Oracle" }, ca: true, ...o.root });
  const inter = pki.issue({
    subject: { cn: `${tag} Intermediate`, o: "Oracle" },
    issuer: root,
    ca: true,
    ...o.inter,
  });
  const leaf = pki.issue({
    subject: { cn: HOST },
    issuer: inter,
    dns: [HOST],
    eku: [EKU.serverAuth],
    ...o.leaf,
  });
  return { root, inter, leaf };
}

export type Make = (pki: CorpusPki) => Omit<OracleCase, "id" | "time" | "serverName"> & {
  serverName?: string;
  time?: Date;
};

export function full(s: Std): { chain: Der[]; roots: Der[] } {
  return { chain: [s.leaf.der, s.inter.der], roots: [s.root.der] };
}

/** A copy of `der` with one byte of the signature flipped. */
export function corruptSignature(der: Der): Der {
  const out = Buffer.from(der);
  out[out.length - 5] = (out[out.length - 5] ?? 0) ^ 0x01;
  return out;
}
