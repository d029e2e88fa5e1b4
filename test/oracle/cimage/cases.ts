/** Node trees for the containers/image differential suite: registries.conf (+ drop-ins, user file) and certs.d. */
export interface CimageCase {
  id: string;
  ref: string;
  files: Record<string, string>;
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

const CERT_ROOTS = ["/root/.config/containers/certs.d", "/etc/containers/certs.d", "/etc/docker/certs.d"];

export function cimageCases(count: number, seed: number): CimageCase[] {
  const reg = "reg.example.com:5000";
  const cases: CimageCase[] = [
    { id: "nothing", ref: `${reg}/app`, files: {} },
    {
      id: "etc-containers-wins",
      ref: `${reg}/app`,
      files: {
        [`/etc/containers/certs.d/${reg}/a.crt`]: "@ca1",
        [`/etc/docker/certs.d/${reg}/b.crt`]: "@ca2",
      },
    },
    {
      id: "user-dir-wins",
      ref: `${reg}/app`,
      files: {
        [`/root/.config/containers/certs.d/${reg}/a.crt`]: "@ca3",
        [`/etc/containers/certs.d/${reg}/b.crt`]: "@ca2",
      },
    },
    {
      id: "docker-dir",
      ref: `${reg}/app`,
      files: { [`/etc/docker/certs.d/${reg}/b.crt`]: "@ca2", [`/etc/docker/certs.d/${reg}/c.pem`]: "@ca4" },
    },
    {
      id: "cert-no-key",
      ref: `${reg}/app`,
      files: { [`/etc/containers/certs.d/${reg}/c.cert`]: "@clientCert" },
    },
    {
      id: "key-no-cert",
      ref: `${reg}/app`,
      files: { [`/etc/containers/certs.d/${reg}/c.key`]: "@clientKey" },
    },
    {
      id: "pair",
      ref: `${reg}/app`,
      files: {
        [`/etc/containers/certs.d/${reg}/c.cert`]: "@clientCert",
        [`/etc/containers/certs.d/${reg}/c.key`]: "@clientKey",
      },
    },
    {
      id: "pair-mismatch",
      ref: `${reg}/app`,
      files: {
        [`/etc/containers/certs.d/${reg}/c.cert`]: "@clientCert",
        [`/etc/containers/certs.d/${reg}/c.key`]: "@otherKey",
      },
    },
    {
      id: "insecure",
      ref: `${reg}/app`,
      files: { "/etc/containers/registries.conf": `[[registry]]\nlocation = "${reg}"\ninsecure = true\n` },
    },
    {
      id: "prefix-port-quirk",
      ref: `${reg}/app`,
      files: {
        "/etc/containers/registries.conf": `[[registry]]\nprefix = "reg.example.com"\nlocation = "reg.example.com"\ninsecure = true\n`,
      },
    },
    {
      id: "wildcard",
      ref: `${reg}/app`,
      files: {
        "/etc/containers/registries.conf": `[[registry]]\nprefix = "*.example.com"\ninsecure = true\n`,
      },
    },
    {
      id: "mirrors",
      ref: `${reg}/app`,
      files: {
        "/etc/containers/registries.conf": `[[registry]]\nlocation = "${reg}"\n[[registry.mirror]]\nlocation = "m1.example.com/app-mirror"\ninsecure = true\n[[registry.mirror]]\nlocation = "m2.example.com:443"\n`,
      },
    },
    {
      id: "user-conf-replaces",
      ref: `${reg}/app`,
      files: {
        "/etc/containers/registries.conf": `[[registry]]\nlocation = "${reg}"\ninsecure = true\n`,
        "/root/.config/containers/registries.conf": `[[registry]]\nlocation = "${reg}"\nblocked = true\n`,
      },
    },
    {
      id: "drop-in-overrides",
      ref: `${reg}/app`,
      files: {
        "/etc/containers/registries.conf": `[[registry]]\nlocation = "${reg}"\ninsecure = true\n`,
        "/etc/containers/registries.conf.d/50-x.conf": `[[registry]]\nlocation = "${reg}"\ninsecure = false\n`,
      },
    },
    {
      id: "v1-in-drop-in",
      ref: `${reg}/app`,
      files: {
        "/etc/containers/registries.conf.d/50-x.conf": `[registries.insecure]\nregistries = ["${reg}"]\n`,
      },
    },
    {
      id: "v1-main",
      ref: `${reg}/app`,
      files: { "/etc/containers/registries.conf": `[registries.insecure]\nregistries = ["${reg}"]\n` },
    },
    { id: "broken-toml", ref: `${reg}/app`, files: { "/etc/containers/registries.conf": "[[registry]\n" } },
    {
      id: "longest-prefix",
      ref: `${reg}/team/app`,
      files: {
        "/etc/containers/registries.conf": `[[registry]]\nprefix = "${reg}"\nlocation = "${reg}"\ninsecure = true\n[[registry]]\nprefix = "${reg}/team"\nlocation = "${reg}/team"\n`,
      },
    },
  ];
  for (let i = 0; i < count; i++) cases.push(randomCase(i, rng(seed * 31 + i)));
  return cases;
}

function randomCase(i: number, r: () => number): CimageCase {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const host = pick(["reg.example.com", "reg.example.com:5000", "10.1.2.3:5000", "sub.reg.example.com"]);
  const ref = `${host}/${pick(["app", "team/app"])}`;
  const files: Record<string, string> = {};
  for (const root of CERT_ROOTS) {
    if (r() < 0.35) {
      const dir = `${root}/${host}`;
      files[`${dir}/${pick(["ca", "x", "z"])}.crt`] = `@ca${Math.floor(r() * 12)}`;
      if (r() < 0.15) files[`${dir}/client.cert`] = "@clientCert";
      if (r() < 0.15) files[`${dir}/client.key`] = pick(["@clientKey", "@otherKey"]);
      if (r() < 0.2) files[`${dir}/ca.pem`] = "@ca5";
    }
  }
  const entries: string[] = [];
  const n = Math.floor(r() * 3);
  for (let e = 0; e < n; e++) {
    const prefix = pick([host, `${host}/team`, "*.example.com", "reg.example.com", "other.example.com"]);
    const wildcard = prefix.startsWith("*.");
    const lines = ["[[registry]]", `prefix = "${prefix}"`];
    if (!wildcard) lines.push(`location = "${pick([prefix, "mirror.example.com/x"])}"`);
    if (r() < 0.5) lines.push(`insecure = ${pick(["true", "false"])}`);
    if (r() < 0.1) lines.push("blocked = true");
    const mirrors = Math.floor(r() * 3);
    for (let m = 0; m < mirrors; m++) {
      lines.push(
        "[[registry.mirror]]",
        `location = "${pick(["m1.example.com", "m2.example.com:5000/path", "10.9.9.9"])}"`,
      );
      if (r() < 0.5) lines.push(`insecure = ${pick(["true", "false"])}`);
    }
    entries.push(lines.join("\n"));
  }
  if (entries.length > 0) {
    const where = pick([
      "/etc/containers/registries.conf",
      "/etc/containers/registries.conf.d/10-a.conf",
      "/root/.config/containers/registries.conf",
    ]);
    files[where] = `${entries.join("\n")}\n`;
  }
  return { id: `random-${i}`, ref, files };
}
