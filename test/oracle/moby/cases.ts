/**
 * Daemon registry options and certs.d trees for the moby differential suite.
 * Every case uses its own host names and addresses, so all cases share one
 * /etc/docker tree and one hosts file.
 */
export interface MobyCase {
  id: string;
  registry: string;
  insecure: string[];
  mirrors: string[];
  /** name → address, written to the hosts file the oracle sees (and given to regtrust as the DNS answer). */
  hosts: Record<string, string>;
  /** Files under /etc/docker/certs.d (relative); "@ca<n>", "@clientCert", … name PKI material. */
  files: Record<string, string | null>;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mobyCases(count: number, seed: number): MobyCase[] {
  const cases: MobyCase[] = handPicked();
  for (let i = 0; i < count; i++) cases.push(randomCase(i, rng(seed * 7919 + i)));
  return cases;
}

function handPicked(): MobyCase[] {
  const one = (id: string, over: Partial<MobyCase>): MobyCase => ({
    id,
    registry: `${id}.example.com:5000`,
    insecure: [],
    mirrors: [],
    hosts: {},
    files: {},
    ...over,
  });
  return [
    // The case: a name that resolves into 127.0.0.0/8 is insecure by default.
    one("loop-name", {
      hosts: { "loop-name.example.com": "127.0.0.1" },
      files: { "loop-name.example.com:5000/ca.crt": "@ca1" },
    }),
    one("loop-name-7", { hosts: { "loop-name-7.example.com": "127.1.2.7" } }),
    one("v6-loop-name", {
      hosts: { "v6-loop-name.example.com": "::1" },
      files: { "v6-loop-name.example.com:5000/ca.crt": "@ca1" },
    }),
    one("v6-loop-cidr", { hosts: { "v6-loop-cidr.example.com": "::1" }, insecure: ["::1/128"] }),
    one("private-name", {
      hosts: { "private-name.example.com": "10.9.9.9" },
      files: { "private-name.example.com:5000/ca.crt": "@ca2" },
    }),
    one("cidr-name", { hosts: { "cidr-name.example.com": "10.9.9.10" }, insecure: ["10.9.0.0/16"] }),
    one("cidr-miss", {
      hosts: { "cidr-miss.example.com": "10.8.9.10" },
      insecure: ["10.9.0.0/16"],
      files: { "cidr-miss.example.com:5000/a.crt": "@ca3" },
    }),
    one("exact", {
      hosts: { "exact.example.com": "10.9.9.11" },
      insecure: ["exact.example.com:5000"],
      files: { "exact.example.com:5000/a.crt": "@ca3" },
    }),
    one("exact-http", {
      hosts: { "exact-http.example.com": "10.9.9.12" },
      insecure: ["http://exact-http.example.com:5000"],
    }),
    one("exact-noport", {
      hosts: { "exact-noport.example.com": "10.9.9.13" },
      insecure: ["exact-noport.example.com"],
    }),
    one("unresolved", { files: { "unresolved.example.com:5000/a.crt": "@ca4" } }),
    {
      id: "ip-loop",
      registry: "127.0.0.9:5000",
      insecure: [],
      mirrors: [],
      hosts: {},
      files: { "127.0.0.9:5000/a.crt": "@ca1" },
    },
    {
      id: "ip-v6",
      registry: "[::1]:5999",
      insecure: [],
      mirrors: [],
      hosts: {},
      files: { "[::1]:5999/a.crt": "@ca1" },
    },
    { id: "ip-v6-noport", registry: "[::1]", insecure: [], mirrors: [], hosts: {}, files: {} },
    {
      id: "ip-private",
      registry: "10.7.7.7:5000",
      insecure: [],
      mirrors: [],
      hosts: {},
      files: { "10.7.7.7:5000/a.crt": "@ca5" },
    },
    one("client-pair", {
      hosts: { "client-pair.example.com": "10.9.9.14" },
      files: {
        "client-pair.example.com:5000/c.cert": "@clientCert",
        "client-pair.example.com:5000/c.key": "@clientKey",
      },
    }),
    one("client-mismatch", {
      hosts: { "client-mismatch.example.com": "10.9.9.15" },
      files: {
        "client-mismatch.example.com:5000/c.cert": "@clientCert",
        "client-mismatch.example.com:5000/c.key": "@otherKey",
      },
    }),
    one("cert-no-key", {
      hosts: { "cert-no-key.example.com": "10.9.9.16" },
      files: { "cert-no-key.example.com:5000/ca.cert": "@ca1" },
    }),
    one("key-no-cert", {
      hosts: { "key-no-cert.example.com": "10.9.9.17" },
      files: { "key-no-cert.example.com:5000/c.key": "@clientKey" },
    }),
    one("pem-ignored", {
      hosts: { "pem-ignored.example.com": "10.9.9.18" },
      files: { "pem-ignored.example.com:5000/ca.pem": "@ca1" },
    }),
    one("garbage-crt", {
      hosts: { "garbage-crt.example.com": "10.9.9.19" },
      files: {
        "garbage-crt.example.com:5000/bad.crt": "@garbage",
        "garbage-crt.example.com:5000/ok.crt": "@ca2",
      },
    }),
    one("insecure-skips-certsd", {
      hosts: { "insecure-skips-certsd.example.com": "10.9.9.20" },
      insecure: ["10.9.9.20/32"],
      files: { "insecure-skips-certsd.example.com:5000/c.key": "@clientKey" },
    }),
    {
      id: "hub-mirrors",
      registry: "docker.io",
      insecure: ["10.6.0.0/16"],
      mirrors: [
        "https://hub-m1.example.com",
        "https://hub-m2.example.com:5000",
        "http://hub-m3.example.com:5001",
      ],
      hosts: {
        "hub-m1.example.com": "10.5.0.1",
        "hub-m2.example.com": "10.6.0.2",
        "hub-m3.example.com": "127.0.0.3",
      },
      files: {
        "hub-m1.example.com/ca.crt": "@ca6",
        "hub-m2.example.com:5000/ca.crt": "@ca7",
        "registry-1.docker.io/ca.crt": "@ca8",
      },
    },
  ];
}

function randomCase(i: number, r: () => number): MobyCase {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const name = `r${i}.example.com`;
  const port = pick(["", ":5000", ":443"]);
  const ipv4 = pick([
    `127.${i % 250}.1.${(i % 200) + 2}`,
    `10.${100 + (i % 100)}.${i % 250}.9`,
    `192.168.${i % 250}.4`,
  ]);
  const useIp = r() < 0.3;
  const registry = useIp ? `${ipv4}${port}` : `${name}${port}`;
  const hosts: Record<string, string> = {};
  if (!useIp && r() < 0.85) hosts[name] = ipv4;
  const insecure: string[] = [];
  const octets = ipv4.split(".");
  if (r() < 0.3) insecure.push(`${octets[0]}.${octets[1]}.0.0/16`);
  if (r() < 0.2) insecure.push(`${octets[0]}.${Number(octets[1]) + 1}.0.0/16`);
  if (r() < 0.15) insecure.push(pick([registry, registry.replace(/:\d+$/, ""), `http://${registry}`]));
  if (r() < 0.1) insecure.push("::1/128");
  const dir = registry;
  const files: Record<string, string | null> = {};
  if (r() < 0.6) {
    const n = 1 + Math.floor(r() * 2);
    for (let c = 0; c < n; c++) files[`${dir}/c${c}.crt`] = `@ca${Math.floor(r() * 12)}`;
    if (r() < 0.15) files[`${dir}/client.cert`] = "@clientCert";
    if (r() < 0.15) files[`${dir}/client.key`] = pick(["@clientKey", "@otherKey"]);
    if (r() < 0.1) files[`${dir}/extra.pem`] = "@ca0";
  }
  return { id: `random-${i}`, registry, insecure, mirrors: [], hosts, files };
}
