import { dirname } from "node:path";
import type { PlanCommand } from "../plan/plan.ts";
import type { RegistriesYamlMerge } from "./registries-yaml-step.ts";

type Task = Record<string, unknown>;

export interface AnsibleTaskHelpers {
  /** A node path under the playbook's root prefix. */
  dest(path: string): string;
  withNotify(task: Task, triggers: readonly PlanCommand[]): Task;
  /** `file state=directory` for a node directory. */
  dirTask(path: string): Task;
}

/**
 * The registries.yaml merge of registries-yaml-step.ts in standard modules:
 * slurp the file (and the ca_file it already names), merge on the controller
 * with `combine(recursive=True)`, write with `copy`. The file is written only
 * when its data changes, so a second run reports no change and comments
 * survive when there is nothing to do; when it does change, `to_nice_yaml`
 * does not keep comments (`regtrust trust` on the node does). Read-only
 * tasks run in check mode too, so `--check` shows the real outcome.
 */
export function registriesYamlTasks(
  merge: RegistriesYamlMerge,
  triggers: readonly PlanCommand[],
  h: AnsibleTaskHelpers,
): Task[] {
  const v = (name: string) => `regtrust_${merge.dist}_${name}`;
  const key = jinjaString(merge.registry);
  const missing = (reg: string) =>
    `${reg}.failed | default(false) and 'not found' not in (${reg}.msg | default(''))`;
  return [
    {
      name: `read ${merge.file}`,
      "ansible.builtin.slurp": { src: h.dest(merge.file) },
      register: v("yaml_file"),
      failed_when: missing(v("yaml_file")),
    },
    {
      name: `parse ${merge.file}`,
      "ansible.builtin.set_fact": {
        [v("yaml")]:
          `{{ ((${v("yaml_file")}.content | b64decode | from_yaml) or {}) if ${v("yaml_file")}.content is defined else {} }}`,
      },
    },
    {
      name: `${merge.file} must be a mapping with mappings under configs.${merge.registry}.tls`,
      "ansible.builtin.assert": {
        that: [
          `${v("yaml")} is mapping`,
          `(${v("yaml")}.configs | default({}, true)) is mapping`,
          `((${v("yaml")}.configs | default({}, true))[${key}] | default({}, true)) is mapping`,
        ],
        fail_msg: `${merge.file} is not the shape regtrust expects; add configs."${merge.registry}".tls.ca_file: ${merge.caFile} by hand`,
      },
    },
    {
      name: `the ca_file ${merge.file} already names for ${merge.registry}`,
      "ansible.builtin.set_fact": {
        [v("previous_ca")]:
          `{{ ((((${v("yaml")}.configs | default({}, true))[${key}] | default({}, true)).tls | default({}, true)).ca_file | default('', true)) }}`,
      },
    },
    {
      name: `read the certificates ${merge.registry} is trusted with already`,
      "ansible.builtin.slurp": { src: `${h.dest("")}{{ ${v("previous_ca")} }}` },
      register: v("previous_ca_file"),
      failed_when: false,
      when: `${v("previous_ca")} != ''`,
    },
    h.dirTask(dirname(merge.caFile)),
    caFileTask(merge, v, h),
    h.dirTask(dirname(merge.file)),
    h.withNotify(
      {
        name: `merge configs."${merge.registry}".tls.ca_file into ${merge.file}`,
        "ansible.builtin.copy": {
          dest: h.dest(merge.file),
          content: `{{ ${v("merged")} | to_nice_yaml(indent=2, sort_keys=False) }}`,
          mode: `{{ omit if ${v("yaml_file")}.content is defined else '0${merge.mode.toString(8)}' }}`,
        },
        vars: {
          [v("merged")]:
            `{{ ${v("yaml")} | combine({'configs': {${key}: {'tls': {'ca_file': ${jinjaString(merge.caFile)}}}}}, recursive=True) }}`,
        },
        when: `${v("yaml_file")}.content is not defined or ${v("merged")} != ${v("yaml")}`,
      },
      triggers,
    ),
  ];
}

/** Our CA after whatever the previous ca_file held (k3s takes one ca_file per registry), as trust writes it. */
function caFileTask(merge: RegistriesYamlMerge, v: (name: string) => string, h: AnsibleTaskHelpers): Task {
  const kept = `(${v("previous_ca_file")}.content | b64decode if ${v("previous_ca_file")}.content is defined else '')`;
  const ours = v("ca_pem");
  return {
    name: `write ${merge.caFile}`,
    "ansible.builtin.copy": {
      dest: h.dest(merge.caFile),
      content: `{{ ${ours} if ${kept} == '' else (${kept} if ${ours} | trim in ${kept} else ${kept} | regex_replace('\\n*$', '\\n') ~ ${ours}) }}`,
      mode: "0644",
    },
    vars: { [ours]: merge.caPem },
  };
}

/** A Jinja string literal (single-quoted, backslash and quote escaped). */
function jinjaString(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
