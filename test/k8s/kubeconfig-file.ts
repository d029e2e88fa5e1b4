/** Writes a kubeconfig that points the real client at a fake API server. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  context?: string;
  namespace?: string;
  /** A client certificate and its key, inline (`client-certificate-data`, `client-key-data`). */
  client?: { certPem: string; keyPem: string };
  /** Write `config` here instead of into a new temp dir (the caller removes it). */
  dir?: string;
}

export interface TempKubeconfig {
  path: string;
  dir: string;
  cleanup(): void;
}

export function writeKubeconfig(input: KubeconfigInput): TempKubeconfig {
  const dir = input.dir ?? mkdtempSync(join(tmpdir(), "regtrust-kube-"));
  const path = join(dir, "config");
  const context = input.context ?? "fake";
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const ca = b64(input.caPem);
  const yaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake-cluster",
    "  cluster:",
    `    server: ${input.server}`,
    `    certificate-authority-data: ${ca}`,
    "users:",
    "- name: triage",
    "  user:",
    `    token: ${input.token}`,
    ...(input.client
      ? [
          `    client-certificate-data: ${b64(`${input.client.certPem}\n`)}`,
          `    client-key-data: ${b64(`${input.client.keyPem}\n`)}`,
        ]
      : []),
    "contexts:",
    `- name: ${context}`,
    "  context:",
    "    cluster: fake-cluster",
    "    user: triage",
    ...(input.namespace ? [`    namespace: ${input.namespace}`] : []),
    `current-context: ${context}`,
    "",
  ].join("\n");
  writeFileSync(path, yaml, { mode: 0o600 });
  const cleanup = () =>
    input.dir ? rmSync(path, { force: true }) : rmSync(dir, { recursive: true, force: true });
  return { path, dir, cleanup };
}
