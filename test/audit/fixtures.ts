import { chmodSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type IssuedCert, issueCertificate } from "../../src/pki/generate.ts";

export const NOW = new Date("2026-11-28T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;

export interface AuditPki {
  ca: IssuedCert;
  expiredCa: IssuedCert;
  expiringCa: IssuedCert;
  /** A server certificate for reg.example.com (serverAuth only). */
  server: IssuedCert;
}

/** Certificates dated relative to NOW, generated once per test file. */
export async function auditPki(): Promise<AuditPki> {
  const ca = await issueCertificate({
    commonName: "Corp Root CA",
    isCA: true,
    notBefore: new Date(NOW.getTime() - 30 * DAY),
    notAfter: new Date(NOW.getTime() + 3650 * DAY),
  });
  const expiredCa = await issueCertificate({
    commonName: "Old Root CA",
    isCA: true,
    notBefore: new Date(NOW.getTime() - 800 * DAY),
    notAfter: new Date(NOW.getTime() - 5 * DAY),
  });
  const expiringCa = await issueCertificate({
    commonName: "Soon Root CA",
    isCA: true,
    notBefore: new Date(NOW.getTime() - 300 * DAY),
    notAfter: new Date(NOW.getTime() + 10 * DAY),
  });
  const server = await issueCertificate({
    commonName: "reg.example.com",
    issuer: ca,
    dnsNames: ["reg.example.com"],
    extKeyUsage: ["serverAuth"],
    notBefore: new Date(NOW.getTime() - 30 * DAY),
    notAfter: new Date(NOW.getTime() + 300 * DAY),
  });
  return { ca, expiredCa, expiringCa, server };
}

/** containerd 1.7 (config version 2), kubeadm-style, certs.d enabled. */
export const CONTAINERD_V2 = `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.9"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = true
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
`;

/** containerd 2.x (config version 3). */
export const CONTAINERD_V3 = `version = 3
root = "/var/lib/containerd"

[plugins]
  [plugins."io.containerd.cri.v1.images"]
    snapshotter = "overlayfs"
    [plugins."io.containerd.cri.v1.images".registry]
      config_path = "/etc/containerd/certs.d"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
    SystemdCgroup = true
`;

export const hostsToml = (body: string) => `server = "https://reg.example.com"

[host."https://reg.example.com"]
  capabilities = ["pull", "resolve"]
${body}`;

/** Sets a file's permission bits (makeNodeRoot writes with the umask default). */
export function chmodNode(root: string, nodePath: string, mode: number): void {
  chmodSync(join(root, nodePath), mode);
}

/**
 * A fake /proc with one runtime process: boot at `boot`, the process started
 * `startedAfterBootS` seconds later (ticks at USER_HZ 100).
 */
export function fakeProc(root: string, comm: string, boot: Date, startedAfterBootS: number): string {
  const proc = join(root, "fakeproc");
  mkdirSync(join(proc, "4242"), { recursive: true });
  writeFileSync(
    join(proc, "stat"),
    `cpu  1 2 3 4\nbtime ${Math.floor(boot.getTime() / 1000)}\nprocesses 9\n`,
  );
  writeFileSync(join(proc, "4242", "comm"), `${comm}\n`);
  const fields = [
    "S",
    "1",
    "4242",
    "4242",
    "0",
    "-1",
    "4194560",
    "1",
    "0",
    "0",
    "0",
    "5",
    "3",
    "0",
    "0",
    "20",
    "0",
    "12",
  ];
  const stat = `4242 (${comm}) ${fields.join(" ")} 0 ${startedAfterBootS * 100} 1000 200\n`;
  writeFileSync(join(proc, "4242", "stat"), stat);
  return proc;
}

export function setMtime(root: string, nodePath: string, when: Date): void {
  utimesSync(join(root, nodePath), when, when);
}
