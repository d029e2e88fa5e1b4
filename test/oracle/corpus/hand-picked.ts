import type { OracleCase } from "./case.ts";
import { EKU, ext, ipBytes, keyId } from "./cert-build.ts";
import { bitString, type Der, oid, seq, tlv } from "./der-write.ts";
import { CorpusPki, type Issued, type IssueOpts, NOW } from "./pki.ts";

/**
 * Hand-picked edge cases: every disagreement found so far, plus the rules of
 * Go's verify.go / parser.go that runtimes users hit (names, validity, EKU,
 * path length, name constraints, weak algorithms and keys, parse failures,
 * order-dependent chain building).
 */

const HOST = "registry.oracle.test";
const IP = "10.20.30.40";
const DAY = 86_400_000;
const before = (days: number) => new Date(NOW.getTime() - days * DAY);
const after = (days: number) => new Date(NOW.getTime() + days * DAY);

interface Std {
  root: Issued;
  inter: Issued;
  leaf: Issued;
}

/** root → intermediate → leaf for HOST, with per-certificate overrides. */
function std(
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

type Make = (pki: CorpusPki) => Omit<OracleCase, "id" | "time" | "serverName"> & {
  serverName?: string;
  time?: Date;
};

function full(s: Std): { chain: Der[]; roots: Der[] } {
  return { chain: [s.leaf.der, s.inter.der], roots: [s.root.der] };
}

/** A copy of `der` with one byte of the signature flipped. */
function corruptSignature(der: Der): Der {
  const out = Buffer.from(der);
  out[out.length - 5] = (out[out.length - 5] ?? 0) ^ 0x01;
  return out;
}

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
  "pathlen-zero-intermediate-under": (p) => {
    const s = std(p, "pl0", { inter: { pathLen: 0 } });
    const sub = p.issue({ subject: { cn: "pl0 Sub CA" }, issuer: s.inter, ca: true });
    const leaf = p.issue({ subject: { cn: HOST }, issuer: sub, dns: [HOST] });
    return { chain: [leaf.der, sub.der, s.inter.der], roots: [s.root.der] };
  },
  "pathlen-root-zero": (p) => full(std(p, "plr0", { root: { pathLen: 0 } })),
  "pathlen-root-one-two-intermediates": (p) => {
    const s = std(p, "plr1", { root: { pathLen: 1 } });
    const sub = p.issue({ subject: { cn: "plr1 Sub CA" }, issuer: s.inter, ca: true });
    const leaf = p.issue({ subject: { cn: HOST }, issuer: sub, dns: [HOST] });
    return { chain: [leaf.der, sub.der, s.inter.der], roots: [s.root.der] };
  },
  "intermediate-not-ca": (p) => full(std(p, "notca", { inter: { ca: false, keyUsage: [0, 5] } })),
  "intermediate-no-basic-constraints": (p) => full(std(p, "nobc", { inter: { noBasicConstraints: true } })),
  "intermediate-no-keycertsign": (p) => full(std(p, "nokcs", { inter: { keyUsage: [0, 6] } })),
  "intermediate-no-key-usage": (p) => full(std(p, "noku", { inter: { keyUsage: null } })),
  "intermediate-v1": (p) => full(std(p, "v1i", { inter: { version: 1 } })),
  "root-v1": (p) => full(std(p, "v1r", { root: { version: 1 } })),
  "leaf-v1": (p) => full(std(p, "v1l", { leaf: { version: 1 } })),
  "leaf-unknown-critical": (p) =>
    full(std(p, "ucl", { leaf: { extra: [ext.raw("1.2.3.4.5", seq(), true)] } })),
  "intermediate-unknown-critical": (p) =>
    full(std(p, "uci", { inter: { extra: [ext.raw("1.2.3.4.6", seq(), true)] } })),
  "root-unknown-critical": (p) =>
    full(std(p, "ucr", { root: { extra: [ext.raw("1.2.3.4.7", seq(), true)] } })),
  "leaf-unknown-noncritical": (p) => full(std(p, "unc", { leaf: { extra: [ext.raw("1.2.3.4.8", seq())] } })),
  "leaf-policies-critical": (p) =>
    full(std(p, "polc", { leaf: { extra: [ext.policies(["2.23.140.1.2.1"], true)] } })),
  "intermediate-policy-constraints-critical": (p) =>
    full(
      std(p, "polcons", { inter: { extra: [ext.raw("2.5.29.36", seq(tlv(0x80, Buffer.from([0]))), true)] } }),
    ),
  "intermediate-inhibit-any-policy-critical": (p) =>
    full(std(p, "inhibit", { inter: { extra: [ext.raw("2.5.29.54", tlv(0x02, Buffer.from([0])), true)] } })),
  "leaf-san-critical-uri-only": (p) =>
    full(
      std(p, "sanuri", { leaf: { dns: [], extra: [ext.san({ uri: ["spiffe://oracle.test/x"] }, true)] } }),
    ),
  "leaf-duplicate-extension": (p) =>
    full(std(p, "dupl", { leaf: { extra: [ext.raw("1.2.3.4.9", seq()), ext.raw("1.2.3.4.9", seq())] } })),
  "leaf-duplicate-san": (p) => full(std(p, "dupsan", { leaf: { extra: [ext.san({ dns: [HOST] })] } })),
  "intermediate-duplicate-extension": (p) =>
    full(std(p, "dupi", { inter: { extra: [ext.raw("2.5.29.32", seq()), ext.raw("2.5.29.32", seq())] } })),
  "root-duplicate-extension": (p) =>
    full(std(p, "dupr", { root: { extra: [ext.subjectKeyId(Buffer.from([1, 2, 3]))] } })),
  "leaf-sigalg-mismatch": (p) =>
    full(
      std(p, "mism", {
        inter: { key: "rsa2048" },
        leaf: { sigAlg: "sha256-rsa", innerSigAlg: "sha384-rsa" },
      }),
    ),
  "intermediate-sigalg-mismatch": (p) => full(std(p, "mismi", { inter: { innerSigAlg: "sha384-ecdsa" } })),
  "root-sigalg-mismatch": (p) => full(std(p, "mismr", { root: { innerSigAlg: "sha384-ecdsa" } })),
  "leaf-negative-serial": (p) => full(std(p, "neg", { leaf: { serial: -12345n } })),
  "root-negative-serial": (p) => full(std(p, "negr", { root: { serial: -99n } })),
  "leaf-zero-serial": (p) => full(std(p, "zero", { leaf: { serial: 0n } })),
  "leaf-bad-signature": (p) => {
    const s = std(p, "badsig");
    return { chain: [corruptSignature(s.leaf.der), s.inter.der], roots: [s.root.der] };
  },
  "leaf-bad-signature-rsa": (p) => {
    const s = std(p, "badsigr", { inter: { key: "rsa2048" } });
    return { chain: [corruptSignature(s.leaf.der), s.inter.der], roots: [s.root.der] };
  },
  "leaf-key-algorithm-mismatch": (p) => {
    const s = std(p, "keymis", { inter: { key: "rsa2048" } });
    const leaf = p.issue({ subject: { cn: HOST }, issuer: s.inter, dns: [HOST], sigAlg: "sha256-rsa" });
    // Rewrite both signature OIDs to ECDSA-SHA256: an RSA issuer key then fails the key-type check.
    const fixed = Buffer.from(leaf.der)
      .toString("hex")
      .replaceAll(
        Buffer.from(seq(oid("1.2.840.113549.1.1.11"), tlv(0x05))).toString("hex"),
        Buffer.from(seq(oid("1.2.840.10045.4.3.2"), seq().subarray(0, 0))).toString("hex"),
      );
    return { chain: [Buffer.from(fixed, "hex"), s.inter.der], roots: [s.root.der] };
  },
  "trailing-data": (p) => {
    const s = std(p, "trail");
    return { chain: [Buffer.concat([s.leaf.der, Buffer.from([0, 0])]), s.inter.der], roots: [s.root.der] };
  },
  "garbage-certificate": (p) => {
    const s = std(p, "garbage");
    return { chain: [s.leaf.der, Buffer.from("not a certificate")], roots: [s.root.der] };
  },
  "wrong-order": (p) => {
    const s = std(p, "order");
    const sub = p.issue({ subject: { cn: "order Sub CA" }, issuer: s.inter, ca: true });
    const leaf = p.issue({ subject: { cn: HOST }, issuer: sub, dns: [HOST] });
    return { chain: [leaf.der, s.inter.der, s.root.der, sub.der], roots: [s.root.der] };
  },
  "duplicate-intermediate-sent": (p) => {
    const s = std(p, "dupsent");
    return { chain: [s.leaf.der, s.inter.der, s.inter.der], roots: [s.root.der] };
  },
  "unrelated-extra-cert": (p) => {
    const s = std(p, "extra");
    const other = p.issue({ subject: { cn: "Unrelated CA" }, ca: true });
    return { chain: [s.leaf.der, other.der, s.inter.der], roots: [s.root.der] };
  },
  "cross-signed-old-root-expired": (p) => {
    const s = std(p, "cross");
    const oldRoot = p.issue({
      subject: { cn: "cross Old Root", o: "Oracle" },
      ca: true,
      notAfter: before(5),
    });
    const crossInter = p.issue({ subject: s.inter.subject, key: s.inter.key, issuer: oldRoot, ca: true });
    return { chain: [s.leaf.der, crossInter.der, s.inter.der], roots: [s.root.der, oldRoot.der] };
  },
  "cross-signed-new-root-untrusted": (p) => {
    const s = std(p, "cross2");
    const oldRoot = p.issue({ subject: { cn: "cross2 Old Root", o: "Oracle" }, ca: true });
    const crossInter = p.issue({ subject: s.inter.subject, key: s.inter.key, issuer: oldRoot, ca: true });
    return { chain: [s.leaf.der, s.inter.der, crossInter.der], roots: [oldRoot.der] };
  },
  "two-intermediates-one-expired": (p) => {
    const s = std(p, "twoint");
    const expired = p.issue({
      subject: s.inter.subject,
      key: s.inter.key,
      issuer: s.root,
      ca: true,
      notAfter: before(1),
    });
    return { chain: [s.leaf.der, expired.der, s.inter.der], roots: [s.root.der] };
  },
  "two-intermediates-both-bad": (p) => {
    const s = std(p, "twobad", { inter: { notAfter: before(2) } });
    const notCa = p.issue({ subject: s.inter.subject, key: s.inter.key, issuer: s.root, ca: false });
    return { chain: [s.leaf.der, s.inter.der, notCa.der], roots: [s.root.der] };
  },
  "two-roots-same-name-akid-order": (p) => {
    const s = std(p, "tworoots");
    const impostor = p.issue({ subject: s.root.subject, ca: true });
    return { ...full(s), roots: [impostor.der, s.root.der] };
  },
  "two-roots-same-name-first-expired": (p) => {
    const s = std(p, "tworexp");
    const old = p.issue({ subject: s.root.subject, key: s.root.key, ca: true, notAfter: before(1) });
    return { ...full(s), roots: [old.der, s.root.der] };
  },
  "no-key-ids": (p) =>
    full(std(p, "nokid", { root: { noKeyIds: true }, inter: { noKeyIds: true }, leaf: { noKeyIds: true } })),
  "issuer-loop": (p) => {
    const a = p.issue({ subject: { cn: "Loop A" }, ca: true });
    const b = p.issue({ subject: { cn: "Loop B" }, issuer: a, ca: true });
    const a2 = p.issue({ subject: { cn: "Loop A" }, key: a.key, issuer: b, ca: true });
    const leaf = p.issue({ subject: { cn: HOST }, issuer: a2, dns: [HOST] });
    return { chain: [leaf.der, a2.der, b.der], roots: [] };
  },
  "many-intermediates": (p) => {
    const root = p.issue({ subject: { cn: "Deep Root" }, ca: true });
    let parent = root;
    const inters: Der[] = [];
    for (let i = 0; i < 7; i++) {
      parent = p.issue({ subject: { cn: `Deep CA ${i}` }, issuer: parent, ca: true });
      inters.unshift(parent.der);
    }
    const leaf = p.issue({ subject: { cn: HOST }, issuer: parent, dns: [HOST] });
    return { chain: [leaf.der, ...inters], roots: [root.der] };
  },
  "signature-check-limit": (p) => {
    const s = std(p, "limit");
    const decoys: Der[] = [];
    const key = p.key("p256", 7);
    for (let i = 0; i < 101; i++) {
      decoys.push(p.issue({ subject: s.inter.subject, key, issuer: s.root, ca: true, noKeyIds: true }).der);
    }
    return { chain: [s.leaf.der, ...decoys], roots: [s.root.der] };
  },
  "leaf-is-ca": (p) => full(std(p, "leafca", { leaf: { ca: true } })),
  "root-ca-no-key-usage": (p) => full(std(p, "rnoku", { root: { keyUsage: null } })),
  "root-in-pool-not-ca": (p) => full(std(p, "rnotca", { root: { ca: false } })),
  "leaf-ecdsa-sig-unknown-algorithm": (p) => {
    const s = std(p, "unkalg");
    const leaf = p.issue({ subject: { cn: HOST }, issuer: s.inter, dns: [HOST] });
    // ECDSA-SHA256 → ecdsa-with-SHA224 (1.2.840.10045.4.3.1), which Go does not implement.
    const from = Buffer.from(oid("1.2.840.10045.4.3.2")).toString("hex");
    const to = Buffer.from(oid("1.2.840.10045.4.3.1")).toString("hex");
    return {
      chain: [Buffer.from(Buffer.from(leaf.der).toString("hex").replaceAll(from, to), "hex"), s.inter.der],
      roots: [s.root.der],
    };
  },
  "key-ids-mismatch": (p) => {
    const s = std(p, "kidmis", {
      leaf: { noKeyIds: true, extra: [ext.authorityKeyId(Buffer.from([9, 9, 9]))] },
    });
    return full(s);
  },
  "printable-string-names": (p) =>
    full(std(p, "printable", { root: { subject: { cn: "printable Root", printable: true } } })),
  "subject-key-id-of-other": (p) => {
    const s = std(p, "skid", {
      inter: { noKeyIds: true, extra: [ext.subjectKeyId(keyId(p.key("p256", 3)))] },
    });
    return full(s);
  },
  "bit-string-empty-key-usage": (p) =>
    full(
      std(p, "ku0", {
        leaf: { keyUsage: null, extra: [ext.raw("2.5.29.15", bitString(Buffer.alloc(0)), true)] },
      }),
    ),
};

const P1 = "1.3.6.1.4.1.55555.1";
const P2 = "1.3.6.1.4.1.55555.2";
const ANY_POLICY = "2.5.29.32.0";
const requireExplicit = (skip: number) => ext.raw("2.5.29.36", seq(tlv(0x80, Buffer.from([skip]))), true);
const inhibitAny = (skip: number) => ext.raw("2.5.29.54", tlv(0x02, Buffer.from([skip])), true);
const mappings = (pairs: [string, string][]) =>
  ext.raw("2.5.29.33", seq(...pairs.map(([a, b]) => seq(oid(a), oid(b)))), true);

/** Certificate policies (Go ≥ 1.24 validates them on every chain: verify.go policiesValid). */
const POLICY_CASES: Record<string, Make> = {
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

export function handPickedCases(seed: number): OracleCase[] {
  const pki = new CorpusPki(seed);
  return Object.entries({ ...CASES, ...POLICY_CASES }).map(([id, make]) => {
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
