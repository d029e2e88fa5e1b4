import type { FileContent } from "../plan/plan.ts";

export function textOf(content: FileContent): string {
  return typeof content === "string" ? content : Buffer.from(content).toString("utf8");
}

/** A file mode as provisioning tools write it: `0644`. */
export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
