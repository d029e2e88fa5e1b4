import type { OracleCase } from "./case.ts";
import { EKU, ext, ipBytes } from "./cert-build.ts";
import { POLICY_CASES } from "./hand-picked-policies.ts";
import { STRUCTURE_CASES } from "./hand-picked-structure.ts";
import { CorpusPki, NOW } from "./pki.ts";
import { after, before, full, HOST, IP, type Make, std } from "./std.ts";

/**
 * Hand-picked edge cases: every disagreement found so far, plus the rules of
 * Go's verify.go / parser.go that runtimes users hit (names, validity, EKU,
 * path length, name constraints, weak algorithms and keys, parse failures,
 * order-dependent chain building).
 */

const CASES: Record<string, Make> = {
  "ok-root-inter-leaf": (p) => full(std(p, "ok")),
  "ok-root-leaf": (p) => {
    const root = p.issue({ subject: { cn: "Direct Root" }, ca: true });
    const leaf = p.issue({ subject: { cn: HOST }, issuer: root, dns: [HOST] });
    return { chain: [leaf.der], roots: [root.der] };
  },
  "missing-intermediate": (p) => {
    const s = std(p, "missing");
    return { chain: [s.leaf.der], roots: [s.root.der] };
  },
  "missing-intermediate-aia": (p) => {
    const s = std(p, "aia", { leaf: { extra: [ext.aia("http://pki.oracle.test/inter.crt")] } });
    return { chain: [s.leaf.der], roots: [s.root.der] };
  },
  "unknown-root": (p) => ({ ...full(std(p, "unknown")), roots: [] }),
  "root-sent-untrusted": (p) => {
    const s = std(p, "rootsent");
    return { chain: [s.leaf.der, s.inter.der, s.root.der], roots: [] };
  },
  "root-sent-trusted": (p) => {
    const s = std(p, "rootsent2");
    return { chain: [s.leaf.der, s.inter.der, s.root.der], roots: [s.root.der] };
  },
  "self-signed-leaf-untrusted": (p) => {
    const leaf = p.issue({ subject: { cn: HOST }, dns: [HOST], ca: false });
    return { chain: [leaf.der], roots: [] };
  },
  "self-signed-leaf-trusted": (p) => {
    const leaf = p.issue({ subject: { cn: HOST }, dns: [HOST], ca: false });
    return { chain: [leaf.der], roots: [leaf.der] };
  },
  "self-signed-ca-leaf-trusted": (p) => {
    const leaf = p.issue({ subject: { cn: HOST }, dns: [HOST], ca: true });
    return { chain: [leaf.der], roots: [leaf.der] };
  },
  "wrong-name": (p) => full(std(p, "wrongname", { leaf: { dns: ["other.oracle.test", "x.oracle.test"] } })),
  "wrong-name-many": (p) =>
    full(std(p, "wrongmany", { leaf: { dns: ["a.test", "b.test"], ip: ["10.0.0.1", "fd00::1"] } })),
  "cn-only": (p) => full(std(p, "cnonly", { leaf: { dns: [] } })),
  "no-names": (p) => full(std(p, "nonames", { leaf: { subject: { o: "No CN" }, dns: [] } })),
  "wildcard-ok": (p) => full(std(p, "wild", { leaf: { dns: ["*.oracle.test"] } })),
  "wildcard-two-levels": (p) => ({
    ...full(std(p, "wild2", { leaf: { dns: ["*.test"] } })),
  }),
  "uppercase-san": (p) => full(std(p, "upper", { leaf: { dns: ["REGISTRY.Oracle.TEST"] } })),
  "uppercase-server-name": (p) => ({ ...full(std(p, "upper2")), serverName: "Registry.ORACLE.test" }),
  "ip-san-ok": (p) => ({ ...full(std(p, "ipok", { leaf: { dns: [], ip: [IP] } })), serverName: IP }),
  "ip-no-ip-sans": (p) => ({ ...full(std(p, "ipnone")), serverName: IP }),
  "ip-mismatch": (p) => ({ ...full(std(p, "ipmis", { leaf: { ip: ["10.20.30.41"] } })), serverName: IP }),
  "ipv6-san-ok": (p) => ({ ...full(std(p, "ip6", { leaf: { ip: ["fd00::10"] } })), serverName: "fd00::10" }),
  "ip-san-length-5": (p) => full(std(p, "ip5", { leaf: { ip: [Buffer.from([10, 0, 0, 1, 7])] } })),
  "ip-san-length-5-intermediate": (p) =>
    full(std(p, "ip5i", { inter: { ip: [Buffer.from([10, 0, 0, 1, 7])] } })),
  "leaf-expired": (p) => full(std(p, "exp", { leaf: { notAfter: before(10) } })),
  "leaf-not-yet-valid": (p) => full(std(p, "nyv", { leaf: { notBefore: after(2) } })),
  "intermediate-expired": (p) => full(std(p, "iexp", { inter: { notAfter: before(1) } })),
  "root-expired": (p) => full(std(p, "rexp", { root: { notAfter: before(30) } })),
  "root-not-yet-valid": (p) => full(std(p, "rnyv", { root: { notBefore: after(30) } })),
  "expired-and-wrong-name": (p) => full(std(p, "expwn", { leaf: { notAfter: before(3), dns: ["x.test"] } })),
  "not-after-exact": (p) => ({ ...full(std(p, "exact", { leaf: { notAfter: NOW } })) }),
  "sha1-rsa-leaf": (p) => full(std(p, "sha1", { inter: { key: "rsa2048" }, leaf: { sigAlg: "sha1-rsa" } })),
  "sha1-ecdsa-leaf": (p) => full(std(p, "sha1ec", { leaf: { sigAlg: "sha1-ecdsa" } })),
  "md5-rsa-leaf": (p) => full(std(p, "md5", { inter: { key: "rsa2048" }, leaf: { sigAlg: "md5-rsa" } })),
  "sha1-intermediate": (p) =>
    full(std(p, "sha1i", { root: { key: "rsa2048" }, inter: { sigAlg: "sha1-rsa" } })),
  "sha1-self-signed-root": (p) => full(std(p, "sha1r", { root: { key: "rsa2048", sigAlg: "sha1-rsa" } })),
  "sha1-no-name": (p) =>
    full(
      std(p, "sha1n", {
        inter: { key: "rsa2048", subject: { o: "" } },
        leaf: { sigAlg: "sha1-rsa" },
      }),
    ),
  "rsa512-intermediate-signs": (p) => full(std(p, "rsa512", { inter: { key: "rsa512" } })),
  "rsa1024-intermediate-signs": (p) => full(std(p, "rsa1024", { inter: { key: "rsa1024" } })),
  "rsa512-root-signs": (p) => full(std(p, "rsa512r", { root: { key: "rsa512" } })),
  "rsa512-leaf-key": (p) => full(std(p, "rsa512l", { leaf: { key: "rsa512" } })),
  "p384-chain": (p) =>
    full(std(p, "p384", { root: { key: "p384" }, inter: { key: "p384" }, leaf: { key: "p384" } })),
  "ed25519-chain": (p) =>
    full(std(p, "ed", { root: { key: "ed25519" }, inter: { key: "ed25519" }, leaf: { key: "ed25519" } })),
  "rsa-pss-chain": (p) => full(std(p, "pss", { inter: { key: "rsa2048" }, leaf: { sigAlg: "pss-sha256" } })),
  "rsa-chain": (p) => full(std(p, "rsa", { root: { key: "rsa2048" }, inter: { key: "rsa2048" } })),
  "nc-permitted-ok": (p) =>
    full(std(p, "ncok", { inter: { extra: [ext.nameConstraints({ permittedDNS: ["oracle.test"] })] } })),
  "nc-permitted-violated": (p) =>
    full(std(p, "ncperm", { inter: { extra: [ext.nameConstraints({ permittedDNS: ["example.com"] })] } })),
  "nc-excluded-violated": (p) =>
    full(std(p, "ncexcl", { root: { extra: [ext.nameConstraints({ excludedDNS: [".oracle.test"] })] } })),
  "nc-ip-permitted-violated": (p) => ({
    ...full(
      std(p, "ncip", {
        inter: {
          extra: [
            ext.nameConstraints({
              permittedIP: [Buffer.concat([ipBytes("192.168.0.0"), ipBytes("255.255.0.0")])],
            }),
          ],
        },
        leaf: { dns: [], ip: [IP] },
      }),
    ),
    serverName: IP,
  }),
  "nc-ip-permitted-ok": (p) => ({
    ...full(
      std(p, "ncipok", {
        inter: {
          extra: [
            ext.nameConstraints({
              permittedIP: [Buffer.concat([ipBytes("10.20.0.0"), ipBytes("255.255.0.0")])],
            }),
          ],
        },
        leaf: { ip: [IP] },
      }),
    ),
    serverName: IP,
  }),
  "nc-other-san-violates": (p) =>
    full(
      std(p, "ncother", {
        inter: { extra: [ext.nameConstraints({ permittedDNS: ["oracle.test"] })] },
        leaf: { dns: [HOST, "evil.example.com"] },
      }),
    ),
  "eku-client-only": (p) => full(std(p, "ekuc", { leaf: { eku: [EKU.clientAuth] } })),
  "eku-none": (p) => full(std(p, "ekun", { leaf: { eku: undefined } })),
  "eku-any": (p) => full(std(p, "ekua", { leaf: { eku: [EKU.any] } })),
  "eku-code-signing": (p) => full(std(p, "ekucs", { leaf: { eku: [EKU.codeSigning] } })),
  "eku-intermediate-client-only": (p) => full(std(p, "ekuic", { inter: { eku: [EKU.clientAuth] } })),
  "eku-intermediate-server": (p) =>
    full(std(p, "ekuis", { inter: { eku: [EKU.serverAuth, EKU.clientAuth] } })),
  "eku-root-client-only": (p) => full(std(p, "ekurc", { root: { eku: [EKU.clientAuth] } })),
};

export function handPickedCases(seed: number): OracleCase[] {
  const pki = new CorpusPki(seed);
  return Object.entries({ ...CASES, ...STRUCTURE_CASES, ...POLICY_CASES }).map(([id, make]) => {
    const made = make(pki);
    return {
      id,
      serverName: made.serverName ?? HOST,
      time: made.time ?? NOW,
      chain: made.chain,
      roots: made.roots,
    };
  });
}
