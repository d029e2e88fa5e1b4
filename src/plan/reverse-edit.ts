import { applyPatch, structuredPatch } from "diff";

/**
 * Reversing one edit of a text file that has been changed since by someone
 * else: a three-way merge, like `git revert`. The patch that turns what
 * regtrust wrote (`applied`) back into what was there before (`original`) is
 * applied to the file as it is now (`current`), with no fuzz — first with 3
 * lines of context, then with less, because another target's edit next to
 * ours may have been reversed already and taken our context lines with it.
 *
 * A result is accepted only if the lines it removes from and adds to
 * `current` are exactly the lines regtrust's edit added and removed, in the
 * same order: proof that only regtrust's lines were taken out and everything
 * the other writer did is still there. Otherwise null, and the caller refuses
 * with a clear message.
 */
export function reverseEdit(
  applied: Uint8Array,
  original: Uint8Array,
  current: Uint8Array,
): Uint8Array | null {
  const [appliedText, originalText, currentText] = [applied, original, current].map(decodeText);
  if (appliedText == null || originalText == null || currentText == null) return null;
  const expected = lineChanges(appliedText, originalText);
  for (const context of [3, 1, 0]) {
    const backward = structuredPatch("file", "file", appliedText, originalText, "", "", { context });
    const reversed = applyPatch(currentText, backward);
    if (reversed !== false && sameChanges(lineChanges(currentText, reversed), expected)) {
      return Buffer.from(reversed, "utf8");
    }
  }
  return null;
}

interface LineChanges {
  removed: string[];
  added: string[];
}

function lineChanges(from: string, to: string): LineChanges {
  const hunks = structuredPatch("file", "file", from, to, "", "", { context: 0 }).hunks;
  const lines = hunks.flatMap((h) => h.lines).filter((l) => !l.startsWith("\\"));
  return {
    removed: lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1)),
    added: lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1)),
  };
}

function sameChanges(a: LineChanges, b: LineChanges): boolean {
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((line, i) => line === y[i]);
  return same(a.removed, b.removed) && same(a.added, b.added);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text without NUL bytes, or null for anything binary. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
