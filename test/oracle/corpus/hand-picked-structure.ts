import { ext, keyId } from "./cert-build.ts";
import { bitString, type Der, oid, seq, tlv } from "./der-write.ts";
import { before, corruptSignature, full, HOST, type Make, std } from "./std.ts";

/** CA flags and versions, extensions, parse failures Go refuses, signatures, chain building and order. */
export const STRUCTURE_CASES: Record<string, Make> = {
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
