import { parseAllDocuments } from "yaml";
import { InputError } from "../core/errors.ts";
import { imagesOf } from "./workload-images.ts";

/** One thing to diagnose, with where it came from (for messages). */
export interface ScanEntry {
  text: string;
  /** 1-based line for line input; null for images found in a manifest. */
  line: number | null;
}

export type InputFormat = "lines" | "kubernetes";

/**
 * Decides what the input is: JSON (`kubectl get pods -A -o json`) or YAML
 * manifests are recognised by their shape (a leading `{`, or a top-level
 * `apiVersion:`/`kind:`/`---` line); anything else is one target per line.
 */
export function detectFormat(text: string): InputFormat {
  const body = stripLeadingComments(text);
  if (body.startsWith("{") || body.startsWith("[")) return "kubernetes";
  return /^(?:apiVersion:|kind:|---)/m.test(text) ? "kubernetes" : "lines";
}

/** The entries of a scan input; `name` is the file (or "stdin") for error messages. */
export function parseScanInput(text: string, name: string): { format: InputFormat; entries: ScanEntry[] } {
  const format = detectFormat(text);
  const entries = format === "lines" ? parseLines(text) : parseManifests(text, name);
  return { format, entries };
}

/** One target per line; blank lines and `#` comments (whole-line or after whitespace) are ignored. */
export function parseLines(text: string): ScanEntry[] {
  const entries: ScanEntry[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/(?:^|\s)#.*$/, "").trim();
    if (line !== "") entries.push({ text: line, line: index + 1 });
  }
  return entries;
}

/** Multi-document YAML (JSON is YAML too): every container image, in document order. */
export function parseManifests(text: string, name: string): ScanEntry[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new InputError(`${name}: not a YAML/JSON document`);
  const entries: ScanEntry[] = [];
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error) throw new InputError(`${name}: document ${index + 1} does not parse: ${error.message}`);
    let js: unknown;
    try {
      js = doc.toJS(); // throws on an alias without anchor (`*x`) or an alias bomb
    } catch (e) {
      throw new InputError(`${name}: document ${index + 1} does not parse: ${(e as Error).message}`);
    }
    for (const image of imagesOf(js)) entries.push({ text: image, line: null });
  }
  return entries;
}

function stripLeadingComments(text: string): string {
  return text.replace(/^(?:\s*#[^\n]*\n)*\s*/, "");
}
