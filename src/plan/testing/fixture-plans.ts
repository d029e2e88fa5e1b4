import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { editFile, newPlan, type Plan, refreshCommand, restartCommand, writeOwnedFile } from "../plan.ts";
import type { TreeEntry } from "./support.ts";

/**
 * A node tree and `trust`-shaped plans for the plan tests, modelled on what
 * the node planners produce: an OS store anchor, a containerd certs.d host
 * directory, `config_path` added to config.toml (a shared edit), and a k3s
 * registries.yaml edit of a 0600 file holding a password. Not used at runtime.
 */

export const CONFIG_TOML = `# containerd config, edited by hand
version = 2

[plugins."io.containerd.grpc.v1.cri".registry]
`;

export const REGISTRIES_YAML = `# k3s registries
mirrors: {}
configs:
  other.example.com:
    auth:
      username: admin
      password: hunter2-secret
`;

export function nodeTree(): Record<string, TreeEntry> {
  return {
    "etc/containerd/config.toml": CONFIG_TOML,
    "etc/rancher/k3s/registries.yaml": { content: REGISTRIES_YAML, mode: 0o600 },
    "usr/local/share/ca-certificates/.keep": "",
    "etc/ssl/certs/.keep": "",
  };
}

export function pemFor(name: string): string {
  const body = Buffer.from(`certificate of ${name}`).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

/** A trust plan for `host` computed from the files currently under `root`, as a planner would. */
export async function trustPlan(root: string, host: string, ca = pemFor(host)): Promise<Plan> {
  const configToml = await readFile(join(root, "etc/containerd/config.toml"), "utf8");
  const registries = await readFile(join(root, "etc/rancher/k3s/registries.yaml"), "utf8");
  const certsDir = `/etc/containerd/certs.d/${host}`;
  const withConfigPath = configToml.includes("config_path")
    ? configToml
    : `${configToml}  config_path = "/etc/containerd/certs.d"\n`;
  const entry = `  ${host}:\n    tls:\n      ca_file: ${certsDir}/ca.crt\n`;
  const withRegistry = registries.includes(entry) ? registries : `${registries}${entry}`;
  return newPlan(host, "trust", {
    changes: [
      writeOwnedFile(
        `/usr/local/share/ca-certificates/regtrust-${host.replace(":", "_")}.crt`,
        ca,
        "OS trust store anchor",
      ),
      writeOwnedFile(`${certsDir}/ca.crt`, ca, "CA for containerd hosts.toml"),
      writeOwnedFile(
        `${certsDir}/hosts.toml`,
        `# managed by regtrust\n[host."https://${host}"]\n  ca = "ca.crt"\n`,
        "hosts.toml",
      ),
      editFile(
        "/etc/containerd/config.toml",
        configToml,
        withConfigPath,
        "containerd reads certs.d only with config_path",
        {
          shared: "containerd:config_path",
        },
      ),
      editFile("/etc/rancher/k3s/registries.yaml", registries, withRegistry, "k3s registry CA"),
    ],
    commands: [
      refreshCommand(["update-ca-certificates"], "rebuild the OS bundle", [
        "update-ca-certificates",
        "--fresh",
      ]),
      restartCommand("containerd", "containerd reads config.toml at start"),
    ],
  });
}
