import { ownControl } from "../core/terminal-text.ts";

/**
 * ANSI styling that collapses to plain text when colour is off. The SGR
 * sequences are marked as our own (terminal-text.ts), the only escape
 * sequences the output boundary lets through.
 */
export interface Style {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (code: string) => (s: string) =>
  `${ownControl(`\u001b[${code}m`)}${s}${ownControl("\u001b[0m")}`;

export function makeStyle(color: boolean): Style {
  if (!color) {
    const id = (s: string) => s;
    return { red: id, green: id, yellow: id, bold: id, dim: id };
  }
  return { red: wrap("31"), green: wrap("32"), yellow: wrap("33"), bold: wrap("1"), dim: wrap("2") };
}
