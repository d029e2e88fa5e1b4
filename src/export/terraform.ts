import { cloudInitUserData } from "./cloud-init.ts";
import type { ExportPlan } from "./export-plan.ts";

/**
 * hashicorp/cloudinit's merge type for a part (cloud-init's merging docs):
 * lists append and dicts merge without replacing, so regtrust's write_files
 * and runcmd join those of the other parts instead of replacing them.
 */
const MERGE_TYPE = "list(append)+dict(no_replace,recurse_list)+str()";

/**
 * The cloud-init user-data of `--format cloud-init` as a `cloudinit_config`
 * data source (hashicorp/cloudinit provider, 2.x): one `text/cloud-config`
 * part whose `rendered` (gzip + base64, the provider's defaults) goes into a
 * launch template's `user_data`. The content is an HCL heredoc, with `${`
 * and `%{` escaped so Terraform does not read the user-data as a template.
 */
export function terraformCloudInit(exported: ExportPlan, opts: { diagnoseTarget: string }): string {
  const userData = cloudInitUserData(exported, opts);
  const name = `regtrust_${exported.plan.target.replace(/[^A-Za-z0-9]/g, "_")}`;
  const marker = heredocMarker(userData);
  return [
    `# regtrust: the fix \`regtrust trust ${exported.plan.target}\` makes, as cloud-init user-data for new nodes.`,
    "# Use the rendered value (gzip + base64) as a launch template's user_data, e.g.",
    `#   user_data = data.cloudinit_config.${name}.rendered`,
    "# Add your own parts next to this one; the merge_type appends regtrust's write_files and runcmd to theirs.",
    `data "cloudinit_config" "${name}" {`,
    "  gzip          = true",
    "  base64_encode = true",
    "",
    "  part {",
    `    filename     = "regtrust.cfg"`,
    `    content_type = "text/cloud-config"`,
    `    merge_type   = "${MERGE_TYPE}"`,
    `    content      = <<${marker}`,
    `${escapeTemplate(userData)}${marker}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** HCL templates read `${` and `%{` as interpolation and directives; `$${` and `%%{` are their literals. */
export function escapeTemplate(text: string): string {
  // Replacer functions: in a replacement string, "$$" would itself mean one "$".
  return text.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");
}

function heredocMarker(text: string): string {
  let marker = "REGTRUST_USER_DATA";
  while (text.split("\n").includes(marker)) marker += "_";
  return marker;
}
