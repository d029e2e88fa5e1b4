import { cloudInitParts, type RunCommand, type WriteFile } from "./cloud-init.ts";
import { shellQuote } from "./config-path-step.ts";
import type { ExportPlan } from "./export-plan.ts";

/**
 * The plan as one POSIX shell script, for user-data formats that take a
 * `text/x-shellscript` part (EKS launch templates, Karpenter's EC2NodeClass)
 * or a list of commands (Cluster API's preKubeadmCommands). It is the
 * cloud-init rendering's two halves in the same order: files first, then
 * the steps and commands. `set -eu`: a failed step stops the script, so a
 * node never reports success with half the fix.
 */
export function shellScript(
  exported: ExportPlan,
  opts: { diagnoseTarget: string; header: string[] },
): string {
  const { writeFiles, runcmd } = cloudInitParts(exported, opts);
  const lines = [
    "#!/bin/sh",
    ...opts.header.map((h) => `# ${h}`),
    "set -eu",
    ...writeFiles.flatMap(writeFileCommands),
    ...runcmd.map(commandLine),
  ];
  return `${lines.join("\n")}\n`;
}

/** A file as shell: base64 keeps any content byte-exact inside the script. */
export function writeFileCommands(file: WriteFile): string[] {
  const data = file.encoding === "b64" ? file.content : Buffer.from(file.content).toString("base64");
  const dir = file.path.slice(0, file.path.lastIndexOf("/")) || "/";
  return [
    `mkdir -p ${shellQuote(dir)}`,
    `printf '%s' ${shellQuote(data)} | base64 -d > ${shellQuote(file.path)}`,
    `chmod ${file.permissions} ${shellQuote(file.path)}`,
  ];
}

export function commandLine(argv: RunCommand): string {
  return argv.map(shellQuote).join(" ");
}
