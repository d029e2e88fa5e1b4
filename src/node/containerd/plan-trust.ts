import { editFile, newPlan, type Plan, restartCommand, writeOwnedFile } from "../../plan/plan.ts";
import { actionOf, type ContextPlan, type Refusal, type TrustChange } from "../ca-install.ts";
import type { HostFs } from "../host-fs.ts";
import { insecureMarkerComment } from "../insecure-marker.ts";
import { assertRegistryName } from "../registry-name.ts";
import type { ContainerdConfig } from "./config.ts";
import { CERTS_D, minimalConfig, withConfigPath } from "./config-path-edit.ts";
import { containerdFeatures } from "./features.ts";
import { findHostDir } from "./host-dir.ts";
import { editHostsToml, type HostSetting, newHostsToml, withoutCaFiles } from "./hosts-toml-edit.ts";
import { DEFAULT_CONFIG_PATH_V2_2 } from "./trust.ts";
import { atLeast } from "./version.ts";

/** The shared-edit key of config_path (plan/journal.ts): kept while any regtrust target needs it. */
export const CONFIG_PATH_SHARED = "containerd:config_path";

export interface ContainerdPlanInput {
  fs: HostFs;
  config: ContainerdConfig;
  /** Installed containerd version when known; ≥ 2.2 reads certs.d without config_path. */
  version: string | null;
  registry: string;
  change: TrustChange;
}

/**
 * Plans containerd's part: `<certs.d>/<registry>/hosts.toml` naming a CA file
 * beside it (or an expiring skip_verify), plus `config_path` in config.toml
 * when the CRI plugin would not read certs.d at all (runtimes.md §1.3). The
 * CA is referenced by a path relative to the hosts.toml directory
 * (hosts.go `makeAbsPath`), so the directory works wherever the node root is
 * mounted. hosts.toml needs no restart (re-read on every pull); a config.toml
 * edit does.
 */
export function planContainerdTrust(input: ContainerdPlanInput): ContextPlan {
  const { config, registry, change } = input;
  assertRegistryName(registry);
  const plan = newPlan(registry, actionOf(change));
  const refused = (refusal: Refusal): ContextPlan => ({
    context: "containerd",
    plan: newPlan(registry, actionOf(change)),
    restartUnit: null,
    refusal,
  });
  if (!config.valid) {
    return refused({
      reason: `${config.path} does not parse; fix it first`,
      manual: config.findings[0]?.fix ?? [],
    });
  }
  const configPath = planConfigPath(input, plan);
  if ("reason" in configPath) return refused(configPath);
  const hosts = planHostDir(input, configPath.roots, plan);
  if (hosts) return refused(hosts);
  if (configPath.restart) {
    plan.commands.push(
      restartCommand(
        "containerd",
        "containerd reads config_path from config.toml only at start",
        config.path,
      ),
    );
  }
  return {
    context: "containerd",
    plan,
    restartUnit: configPath.restart ? "containerd" : null,
    ...(configPath.restart ? { restartFile: config.path } : {}),
    refusal: null,
  };
}

interface ConfigPathOutcome {
  roots: readonly string[];
  restart: boolean;
}

/** Where certs.d is read from, adding config_path when needed (a shared edit: see plan/journal.ts). */
function planConfigPath(input: ContainerdPlanInput, plan: Plan): ConfigPathOutcome | Refusal {
  const { fs, config, version } = input;
  const text = fs.readText(config.path);
  const reason = "turn on per-registry hosts.toml files (config_path) for containerd's CRI plugin";
  if (config.roots.length > 0) {
    // Already set: claim it anyway, so untrust of another target keeps it while this one needs it.
    plan.changes.push(editFile(config.path, text, text ?? "", reason, { shared: CONFIG_PATH_SHARED }));
    return { roots: config.roots, restart: false };
  }
  if (atLeast(version, 2, 2) && config.mirrors.size === 0)
    return { roots: DEFAULT_CONFIG_PATH_V2_2, restart: false };
  if (config.mirrors.size > 0) {
    return {
      reason: `${config.path} sets registry.mirrors; with config_path also set containerd's CRI plugin fails to load ("\`mirrors\` cannot be set when \`config_path\` is provided")`,
      manual: [
        `Move each mirror into ${CERTS_D}/<namespace>/hosts.toml, delete the mirrors tables, then re-run regtrust trust`,
      ],
    };
  }
  const legacyTls = [...config.configs.values()].filter((c) => c.tls !== null);
  if (legacyTls.length > 0 && config.version < 3) {
    return {
      reason: `${config.path} sets registry.configs.*.tls (${legacyTls.map((c) => c.host).join(", ")}); containerd 1.x refuses config_path next to it`,
      manual: [`Move those TLS settings into ${CERTS_D}/<host>/hosts.toml, then re-run regtrust trust`],
    };
  }
  if (text === null) {
    plan.changes.push(editFile(config.path, null, minimalConfig(), reason, { shared: CONFIG_PATH_SHARED }));
    plan.notes.push(
      `${config.path} did not exist: regtrust creates a minimal one (version 2) that only sets config_path`,
    );
    return { roots: [CERTS_D], restart: true };
  }
  const edited = withConfigPath(text, config);
  if (!edited.ok) return edited.refusal;
  plan.changes.push(editFile(config.path, text, edited.text, reason, { shared: CONFIG_PATH_SHARED }));
  return { roots: [CERTS_D], restart: true };
}

/** hosts.toml (and the CA file) in the host directory containerd will pick for the registry. */
function planHostDir(input: ContainerdPlanInput, roots: readonly string[], plan: Plan): Refusal | null {
  const { fs, registry, change } = input;
  const match = findHostDir(fs, roots, registry, containerdFeatures(input.version));
  const dir = match && !match.isDefault ? match.dir : `${roots[0] ?? CERTS_D}/${registry}`;
  if (match?.isDefault) {
    plan.notes.push(`${dir} takes precedence over ${match.dir} for ${registry} from now on`);
  }
  const setting: HostSetting =
    change.kind === "trust"
      ? { kind: "ca", file: `regtrust-${change.ca.id}.crt` }
      : { kind: "skip-verify", marker: insecureMarkerComment(change.expiresAt) };
  const file = `${dir}/hosts.toml`;
  const read = fs.readText(file);
  const text = change.kind === "trust" && read !== null ? withoutRetired(read, dir, registry, change) : read;
  if (text === undefined) {
    return {
      reason: `the ca setting in ${file} is not a one-line value; regtrust cannot retire CA files from it`,
      manual: [`Remove the CA files regtrust retires from the ca list in ${file}, then re-run`],
    };
  }
  const reason =
    change.kind === "trust"
      ? `containerd adds the CA to its pool for ${registry} (re-read on every pull, no restart)`
      : `EMERGENCY: containerd skips TLS verification for ${registry} until ${change.expiresAt.toISOString()}`;
  if (change.kind === "trust") {
    plan.changes.push(
      writeOwnedFile(`${dir}/${setting.kind === "ca" ? setting.file : ""}`, change.ca.pem, reason),
    );
  }
  if (text === null || text.trim() === "") {
    plan.changes.push(
      read === null
        ? writeOwnedFile(file, newHostsToml(registry, setting), reason)
        : editFile(file, read, newHostsToml(registry, setting), reason),
    );
    return null;
  }
  const edited = editHostsToml(text, dir, registry, setting);
  if (!edited.ok) {
    const copy =
      change.kind === "trust" && setting.kind === "ca" ? [`Copy the CA to ${dir}/${setting.file}`] : [];
    return { ...edited.refusal, manual: [...copy, ...edited.refusal.manual] };
  }
  plan.changes.push(editFile(file, read, edited.text, reason));
  return null;
}

/**
 * `--replace`: hosts.toml without the `ca` entries of CA files regtrust owns
 * in this directory other than the one it writes now (they are deleted by
 * trust/plan-contexts.ts). Undefined when the ca value cannot be edited.
 */
function withoutRetired(
  text: string,
  dir: string,
  registry: string,
  change: Extract<TrustChange, { kind: "trust" }>,
): string | undefined {
  if (!change.replace) return text;
  const keep = `${dir}/regtrust-${change.ca.id}.crt`;
  const retired = change.replace.ownedFiles.filter((p) => p !== keep && p.startsWith(`${dir}/`));
  if (retired.length === 0) return text;
  return withoutCaFiles(text, dir, registry, retired) ?? undefined;
}
