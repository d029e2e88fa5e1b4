import type { OracleCase } from "./case.ts";
import { EKU, ext, type KeyKind, type SigAlg } from "./cert-build.ts";
import type { Der } from "./der-write.ts";
import { CorpusPki, type Issued, type IssueOpts, NOW, rng } from "./pki.ts";

/**
 * Seeded random chains: 0–3 intermediates with random validity, CA flags,
 * path lengths, key usages, EKUs, name constraints, key types and signature
 * algorithms; the server sends them in a random order, sometimes with the
 * root, a duplicate or a stranger; the pool sometimes lacks the root or holds
 * a look-alike. Most of them fail somewhere, as misconfigured registries do.
 */

const DAY = 86_400_000;
const HOSTS = ["registry.oracle.test", "r1.oracle.test", "10.9.8.7"];

export function randomCases(seed: number, count: number): OracleCase[] {
  const pick = rng(seed);
  const pki = new CorpusPki(seed + 1);
  const one = <T>(items: readonly T[]): T => items[Math.floor(pick() * items.length)]!;
  const chance = (p: number) => pick() < p;
  const keyKind = (): KeyKind =>
    one(["p256", "p256", "p256", "rsa2048", "p384", "ed25519", "rsa1024"] as const);
  const validity = () => {
    const r = pick();
    if (r < 0.08) return { notAfter: new Date(NOW.getTime() - Math.floor(pick() * 400 + 1) * DAY) };
    if (r < 0.14) return { notBefore: new Date(NOW.getTime() + Math.floor(pick() * 40 + 1) * DAY) };
    return {};
  };
  const sigAlg = (signer: Issued | null, kind: KeyKind): SigAlg | undefined => {
    const k = signer ? signer.key.kind : kind;
    if (!chance(0.1)) return undefined;
    if (k === "rsa2048" || k === "rsa1024") return one(["sha1-rsa", "sha384-rsa", "pss-sha256"] as const);
    if (k === "p256" || k === "p384") return one(["sha1-ecdsa", "sha384-ecdsa", "sha256-ecdsa"] as const);
    return undefined;
  };
  // Rare defects Go's parser or policy check refuses (version-dependent), and certificate policies.
  const oddities = (): Partial<IssueOpts> => {
    const r = pick();
    if (r < 0.02) return { serial: -BigInt(Math.floor(pick() * 1e6) + 1) };
    if (r < 0.04) return { innerSigAlg: "md5-rsa" };
    if (r < 0.06)
      return {
        extra: [ext.raw("1.2.3.4.98", Buffer.from([0x30, 0])), ext.raw("1.2.3.4.98", Buffer.from([0x30, 0]))],
      };
    if (r < 0.1) {
      const policy = one(["1.3.6.1.4.1.55555.1", "1.3.6.1.4.1.55555.2", "2.5.29.32.0"]);
      const constraints = chance(0.5) ? [ext.raw("2.5.29.36", Buffer.from([0x30, 3, 0x80, 1, 0]), true)] : [];
      return { extra: [ext.policies([policy]), ...constraints] };
    }
    return {};
  };
  const cases: OracleCase[] = [];
  for (let n = 0; n < count; n++) {
    const host = one(HOSTS);
    const isIp = /^\d/.test(host);
    const depth = Math.floor(pick() * 4);
    const rootKind = keyKind();
    const root = pki.issue({
      subject: { cn: `Random Root ${n}`, o: "Oracle" },
      ca: !chance(0.04),
      key: pki.key(rootKind, Math.floor(pick() * 4)),
      pathLen: chance(0.1) ? Math.floor(pick() * 2) : undefined,
      eku: chance(0.08) ? [one([EKU.clientAuth, EKU.serverAuth, EKU.any])] : undefined,
      extra: chance(0.08)
        ? [ext.nameConstraints({ permittedDNS: [one(["oracle.test", "example.com"])] })]
        : [],
      ...validity(),
      sigAlg: sigAlg(null, rootKind),
    });
    let parent = root;
    const inters: Issued[] = [];
    for (let i = 0; i < depth; i++) {
      const kind = keyKind();
      const inter = pki.issue({
        subject: { cn: `Random CA ${n}.${i}`, o: chance(0.5) ? "Oracle" : undefined },
        issuer: parent,
        key: pki.key(kind, Math.floor(pick() * 4)),
        ca: !chance(0.06),
        noBasicConstraints: chance(0.03),
        pathLen: chance(0.15) ? Math.floor(pick() * 2) : undefined,
        keyUsage: chance(0.05) ? [0, 6] : chance(0.05) ? null : undefined,
        eku: chance(0.1) ? [one([EKU.clientAuth, EKU.serverAuth, EKU.codeSigning])] : undefined,
        extra: chance(0.08)
          ? [ext.nameConstraints(chance(0.5) ? { permittedDNS: ["oracle.test"] } : { excludedDNS: [host] })]
          : chance(0.03)
            ? [ext.raw("1.2.3.4.99", Buffer.from([0x30, 0]), true)]
            : [],
        version: chance(0.03) ? 1 : undefined,
        ...validity(),
        sigAlg: sigAlg(parent, kind),
        ...oddities(),
      });
      inters.push(inter);
      parent = inter;
    }
    const leafKind = keyKind();
    const names = chance(0.1) ? [one(["other.oracle.test", "*.oracle.test", "*.test"])] : [host];
    const leaf = pki.issue({
      subject: { cn: chance(0.9) ? host : "no-san" },
      issuer: parent,
      key: pki.key(leafKind, Math.floor(pick() * 4)),
      dns: chance(0.05) ? [] : isIp ? [] : names,
      ip: isIp ? (chance(0.9) ? [host] : ["10.9.8.6"]) : chance(0.1) ? ["192.0.2.1"] : [],
      eku: chance(0.7) ? [EKU.serverAuth] : chance(0.5) ? undefined : [one([EKU.clientAuth, EKU.any])],
      ...validity(),
      sigAlg: sigAlg(parent, leafKind),
      ...oddities(),
    });
    let sent: Der[] = [...inters].reverse().map((i) => i.der);
    if (chance(0.2)) sent = sent.sort(() => pick() - 0.5);
    if (chance(0.1)) sent.push(root.der);
    if (chance(0.08) && sent.length > 0) sent.push(sent[0]!);
    if (chance(0.08))
      sent.splice(
        Math.floor(pick() * (sent.length + 1)),
        0,
        pki.issue({ subject: { cn: "Stranger" }, ca: true }).der,
      );
    if (chance(0.08) && sent.length > 0) sent.splice(Math.floor(pick() * sent.length), 1);
    const roots: Der[] = chance(0.85) ? [root.der] : [];
    if (chance(0.1)) roots.unshift(pki.issue({ subject: root.subject, ca: true }).der);
    cases.push({ id: `random-${seed}-${n}`, chain: [leaf.der, ...sent], roots, serverName: host, time: NOW });
  }
  return cases;
}
