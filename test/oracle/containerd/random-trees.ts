import type { TreeCase } from "./handpicked.ts";

/** mulberry32: a small seeded PRNG, so a failing case id always rebuilds the same tree. */
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

const REGISTRIES = [
  "reg.example.com",
  "reg.example.com:5000",
  "10.0.0.5:5000",
  "localhost:5000",
  "127.0.0.1",
  "docker.io",
  "[::1]:5000",
  "mirror.local:443",
];
const HOSTS = [
  "reg.example.com",
  "reg.example.com:5000",
  "m1.example.com",
  "m2.example.com:8443",
  "10.0.0.5:5000",
  "localhost:5000",
  "127.0.0.1:80",
];
const CAPS = ["pull", "resolve", "push"];

/** Seeded random config trees over the same grammar the hand-picked cases use. */
export function randomCases(count: number, seed: number): TreeCase[] {
  const cases: TreeCase[] = [];
  for (let i = 0; i < count; i++) cases.push(randomCase(`random-${seed}-${i}`, rng(seed * 100003 + i)));
  return cases;
}

function randomCase(id: string, r: () => number): TreeCase {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const chance = (p: number) => r() < p;
  const registry = pick(REGISTRIES);
  const roots = chance(0.25) ? ["a", "b"] : ["certs.d"];
  const files: Record<string, string | null> = {};
  const dirNames = [registry.replace(/:(\d+)$/, "_$1_"), registry, "_default"];
  for (const root of roots) {
    for (const name of new Set(dirNames)) {
      if (!chance(name === "_default" ? 0.2 : 0.45)) continue;
      const dir = `${root}/${name}`;
      const nCrt = Math.floor(r() * 3);
      for (let c = 0; c < nCrt; c++) files[`${dir}/c${c}.crt`] = `@ca${Math.floor(r() * 12)}`;
      if (chance(0.1)) files[`${dir}/client.cert`] = pick(["@clientCert", "@combined"]);
      if (chance(0.1)) files[`${dir}/client.key`] = pick(["@clientKey", "@otherKey"]);
      if (chance(0.7)) files[`${dir}/hosts.toml`] = chance(0.05) ? "" : hostsToml(r, pick, chance);
      if (Object.keys(files).every((f) => !f.startsWith(`${dir}/`))) files[`${dir}/README`] = "x";
    }
  }
  return { id, registry, config: configToml(roots, pick, chance), files };
}

function configToml(
  roots: string[],
  pick: <T>(xs: readonly T[]) => T,
  chance: (p: number) => boolean,
): string {
  const path = roots.map((root) => `$ROOT/${root}`).join(":");
  const version = pick([
    "",
    "version = 1\n",
    "version = 2\n",
    "version = 2\n",
    "version = 2\n",
    "version = 3\n",
  ]);
  const table =
    version === "version = 3\n" && chance(0.7)
      ? '"io.containerd.cri.v1.images"'
      : version === "" || version === "version = 1\n"
        ? pick(["cri", '"io.containerd.grpc.v1.cri"'])
        : '"io.containerd.grpc.v1.cri"';
  return `${version}[plugins.${table}.registry]\n  config_path = "${path}"\n`;
}

function hostsToml(
  r: () => number,
  pick: <T>(xs: readonly T[]) => T,
  chance: (p: number) => boolean,
): string {
  const lines: string[] = [];
  if (chance(0.5))
    lines.push(
      `server = "${pick(["https://", "http://", ""])}${pick(HOSTS)}${pick(["", "", "/v2", "/sub"])}"`,
    );
  lines.push(...settings(r, pick, chance));
  const nHosts = Math.floor(r() * 4);
  if (nHosts === 0 && chance(0.6)) lines.push("[host]");
  for (let h = 0; h < nHosts; h++) {
    lines.push(
      `[host."${pick(["https://", "http://", ""])}${pick(HOSTS)}${pick(["", "", "/v2", "/mirror"])}"]`,
    );
    lines.push(...settings(r, pick, chance).map((l) => `  ${l}`));
  }
  if (chance(0.04)) lines.push(pick(["[host.broken", 'ca = "dup"', "x = = 1"]));
  return `${lines.join("\n")}\n`;
}

function settings(
  r: () => number,
  pick: <T>(xs: readonly T[]) => T,
  chance: (p: number) => boolean,
): string[] {
  const out: string[] = [];
  if (chance(0.5)) {
    const files = ["c0.crt", "c1.crt", "missing.crt", "/ABS/ca.crt", "../_default/c0.crt"];
    out.push(
      chance(0.5)
        ? `ca = "${pick(files)}"`
        : `ca = [${[pick(files), pick(files)].map((f) => `"${f}"`).join(", ")}]`,
    );
  }
  if (chance(0.35)) out.push(`skip_verify = ${pick(["true", "false", "false", '"yes"'])}`);
  if (chance(0.3)) {
    const caps = CAPS.filter(() => chance(0.6));
    if (chance(0.05)) caps.push(pick(["referrers", "Pull", "delete"]));
    out.push(`capabilities = [${caps.map((c) => `"${c}"`).join(", ")}]`);
  }
  if (chance(0.1))
    out.push(`client = ${pick(['"client.cert"', '[["client.cert", "client.key"]]', '"missing.pem"', "[]"])}`);
  if (chance(0.08)) out.push(`override_path = ${pick(["true", "false"])}`);
  if (r() < 0.05) out.push('dial_timeout = "5s"');
  return out;
}
