import { EKU, ext } from "./cert-build.ts";
import { oid, seq, tlv } from "./der-write.ts";
import { full, type Make, std } from "./std.ts";

const P1 = "1.3.6.1.4.1.55555.1";
const P2 = "1.3.6.1.4.1.55555.2";
const ANY_POLICY = "2.5.29.32.0";
const requireExplicit = (skip: number) => ext.raw("2.5.29.36", seq(tlv(0x80, Buffer.from([skip]))), true);
const inhibitAny = (skip: number) => ext.raw("2.5.29.54", tlv(0x02, Buffer.from([skip])), true);
const mappings = (pairs: [string, string][]) =>
  ext.raw("2.5.29.33", seq(...pairs.map(([a, b]) => seq(oid(a), oid(b)))), true);

/** Certificate policies (Go ≥ 1.24 validates them on every chain: verify.go policiesValid). */
export const POLICY_CASES: Record<string, Make> = {
  "policy-explicit-satisfied": (p) =>
    full(
      std(p, "pol1", {
        inter: { extra: [ext.policies([P1]), requireExplicit(0)] },
        leaf: { extra: [ext.policies([P1])] },
      }),
    ),
  "policy-explicit-other-policy": (p) =>
    full(
      std(p, "pol2", {
        inter: { extra: [ext.policies([P1]), requireExplicit(0)] },
        leaf: { extra: [ext.policies([P2])] },
      }),
    ),
  "policy-explicit-any-policy": (p) =>
    full(
      std(p, "pol3", {
        inter: { extra: [ext.policies([ANY_POLICY]), requireExplicit(0)] },
        leaf: { extra: [ext.policies([P2])] },
      }),
    ),
  "policy-inhibit-any": (p) =>
    full(
      std(p, "pol4", {
        inter: { extra: [ext.policies([ANY_POLICY]), requireExplicit(0), inhibitAny(0)] },
        leaf: { extra: [ext.policies([ANY_POLICY])] },
      }),
    ),
  "policy-mapping-from-any": (p) =>
    full(std(p, "pol5", { inter: { extra: [ext.policies([P1]), mappings([[ANY_POLICY, P1]])] } })),
  "policy-mapping-ok": (p) =>
    full(
      std(p, "pol6", {
        inter: { extra: [ext.policies([P1]), mappings([[P1, P2]]), requireExplicit(0)] },
        leaf: { extra: [ext.policies([P2])] },
      }),
    ),
  "policy-leaf-requires-explicit": (p) => full(std(p, "pol7", { leaf: { extra: [requireExplicit(0)] } })),
  "policy-root-requires-explicit": (p) => full(std(p, "pol8", { root: { extra: [requireExplicit(0)] } })),
  "policy-require-after-one": (p) =>
    full(std(p, "pol9", { root: { extra: [requireExplicit(1)] }, inter: { extra: [ext.policies([P1])] } })),
  "policy-invalid-and-eku-chains": (p) => {
    const s = std(p, "pol10");
    const strict = p.issue({
      subject: s.inter.subject,
      key: s.inter.key,
      issuer: s.root,
      ca: true,
      extra: [requireExplicit(0)],
    });
    const client = p.issue({
      subject: s.inter.subject,
      key: s.inter.key,
      issuer: s.root,
      ca: true,
      eku: [EKU.clientAuth],
    });
    return { chain: [s.leaf.der, strict.der, client.der], roots: [s.root.der] };
  },
};
