import { stringify } from "yaml";
import type { FileContent, PlanCommand } from "../plan/plan.ts";
import { configPathApplyScript, hostDirPlacementScript, shellQuote } from "./config-path-step.ts";
import type { ExportPlan } from "./export-plan.ts";
import { registriesYamlMergeCommand } from "./registries-yaml-merge.ts";
import { type ExportStep, exportSteps, octal, orderedCommands } from "./steps.ts";

export interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
  encoding?: "b64";
}

export type RunCommand = string[];

/**
 * The plan as `#cloud-config` user-data. write_files runs in cloud-init's
 * init stage, runcmd in the final stage (after packages), so the CA files are
 * in place before the edits, the refresh and the restarts run. Restarts use
 * `systemctl try-restart`: a runtime not running yet (installed later, or
 * started after cloud-init) reads the files when it first starts.
 */
export function cloudInitUserData(exported: ExportPlan, opts: { diagnoseTarget: string }): string {
  const { writeFiles, runcmd } = cloudInitParts(exported, opts);
  const document: Record<string, unknown> = {};
  if (writeFiles.length > 0) document.write_files = writeFiles;
  document.runcmd = runcmd;
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}

/**
 * The two halves of the user-data: files cloud-init writes itself, and the
 * commands that follow in order. Cluster API's KubeadmConfig carries the
 * same halves as `files` and `preKubeadmCommands`.
 */
export function cloudInitParts(
  exported: ExportPlan,
  opts: { diagnoseTarget: string },
): { writeFiles: WriteFile[]; runcmd: RunCommand[] } {
  const steps = exportSteps(exported);
  const writeFiles = steps.flatMap((s) =>
    s.kind === "file" ? [writeFileOf(s.path, s.content, s.mode)] : [],
  );
  const runcmd: RunCommand[] = [
    ...steps.flatMap(runStepOf),
    ...steps.flatMap(placementOf),
    ...orderedCommands(exported.plan.commands).map(commandOf),
    [
      "sh",
      "-c",
      `if command -v regtrust >/dev/null 2>&1; then regtrust diagnose ${shellQuote(opts.diagnoseTarget)}; fi`,
    ],
  ];
  return { writeFiles, runcmd };
}

function writeFileOf(path: string, content: FileContent, mode: number): WriteFile {
  const file: WriteFile = { path, permissions: octal(mode), owner: "root:root", content: "" };
  if (typeof content === "string") file.content = content;
  else {
    file.content = Buffer.from(content).toString("base64");
    file.encoding = "b64";
  }
  return file;
}

/** After every file is in place: the host directory copied to where an existing config_path points. */
function placementOf(step: ExportStep): RunCommand[] {
  if (step.kind !== "config-path" || step.edit.hostDir === null) return [];
  return [["sh", "-c", hostDirPlacementScript(step.edit), "regtrust-host-dir", step.edit.file, ""]];
}

function runStepOf(step: ExportStep): RunCommand[] {
  switch (step.kind) {
    case "file":
      return [];
    case "mkdir":
      return [["mkdir", "-p", "-m", octal(step.mode), step.path]];
    case "delete":
      return [["rm", "-f", step.path]];
    case "config-path":
      return [["sh", "-c", configPathApplyScript(step.edit), "regtrust-config-path", step.edit.file]];
    case "create-if-absent":
      return [["sh", "-c", createIfAbsentScript(step.content, step.mode), "regtrust-create", step.path]];
    case "registries-yaml":
      return [registriesYamlMergeCommand(step.merge)];
  }
}

/**
 * Writes $1 only where it does not exist yet, so a file someone else keeps is
 * never replaced. Text goes in a quoted here-document, so the user-data shows
 * it as written; other content as base64.
 */
function createIfAbsentScript(content: FileContent, mode: number): string {
  const exists =
    'if [ -e "$f" ]; then echo "regtrust: $f exists and is not regtrust\'s: run regtrust trust on the node, which edits it and keeps your settings" >&2; exit 0; fi';
  const text = typeof content === "string" ? content : null;
  const write =
    text?.endsWith("\n") && !text.split("\n").includes(HEREDOC_END)
      ? `cat > "$f" <<'${HEREDOC_END}'\n${text}${HEREDOC_END}`
      : `printf '%s' ${shellQuote(Buffer.from(content).toString("base64"))} | base64 -d > "$f"`;
  return ['f="$1"', exists, 'mkdir -p "$(dirname "$f")"', write, `chmod ${octal(mode)} "$f"`].join("\n");
}

const HEREDOC_END = "REGTRUST_EOF";

function commandOf(command: PlanCommand): RunCommand {
  if (command.kind === "restart" && command.unit !== undefined) {
    return ["systemctl", "try-restart", command.unit];
  }
  return [...command.argv];
}
