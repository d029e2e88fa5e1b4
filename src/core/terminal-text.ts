/**
 * The output boundary (issue #23): every byte regtrust writes to stdout or
 * stderr passes through `toTerminal` (cli/io.ts), whatever command, renderer
 * or error path produced it. Text that came from a server, a certificate, a
 * node file or the Kubernetes API can carry terminal controls: ESC/CSI
 * (clear the screen, move the cursor over a FAIL line), OSC 52 (write the
 * clipboard), OSC 8 (disguised links), C1 controls (a one-byte CSI, U+009B),
 * CR (overwrite the line), and bidi overrides (U+202E reverses what follows).
 * They are shown visibly escaped instead: `\x1b`, `\r`, `\u009b`, `\u202e`.
 *
 * Our own colours and the scan progress line are the only controls that may
 * pass. They are written as `ownControl(seq)`: the sequence between two
 * markers that hold a random per-process secret, which text from outside
 * cannot guess, so it cannot forge them.
 *
 * `\n` and `\t` pass: they are our layout. Untrusted values printed on one
 * line go through `oneLine` as well, so a line feed in a certificate name
 * cannot fake a line of its own.
 *
 * JSON output passes through the same function unharmed: JSON.stringify
 * already escapes C0 controls, and `\uXXXX` is the JSON escape for the rest,
 * so the value a JSON reader decodes is unchanged while the bytes are safe on
 * a terminal.
 */

interface OwnMarkers {
  open: string;
  close: string;
  pattern: RegExp;
}

let markers: OwnMarkers | null = null;

/**
 * Made when the first own sequence is: until then no text can hold a marker,
 * and output without colour (`--help`, --json) never loads node:crypto, ~5 ms
 * of start-up (issue #18). The secret is as random as before, only later.
 */
function ownMarkers(): OwnMarkers {
  if (markers === null) {
    const secret = process.getBuiltinModule("node:crypto").randomBytes(12).toString("hex");
    const open = `\u0000<${secret}:`;
    const close = `:${secret}>\u0000`;
    markers = { open, close, pattern: new RegExp(`${open}([^\\u0000]*?)${close}`, "g") };
  }
  return markers;
}

/**
 * C0 controls except TAB and LF, DEL, C1 controls, and the invisible
 * formatting characters that reorder or hide text: ALM U+061C, zero-width
 * and directional marks U+200B–U+200F, line/paragraph separators U+2028/9,
 * embeddings and overrides U+202A–U+202E, word joiner to invisible plus
 * U+2060–U+2064, isolates and deprecated format controls U+2066–U+206F, BOM
 * U+FEFF, interlinear annotation U+FFF9–U+FFFB (Unicode's Bidi_Control and
 * Default_Ignorable format characters that change how a line reads).
 */
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
/** The same, plus the layout characters, for values that must stay on one line. */
const UNSAFE_IN_LINE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  // C0 as \xNN (never raw in JSON, which escapes them itself); above as \uNNNN, which is also JSON's escape.
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** A control sequence of our own (a colour, the progress line's `\r\x1b[K`), let through by `toTerminal`. */
export function ownControl(sequence: string): string {
  const { open, close } = ownMarkers();
  return `${open}${sequence}${close}`;
}

/** The boundary: escapes every unsafe character except our own marked sequences, which are unwrapped. */
export function toTerminal(text: string): string {
  return outsideOwn(text, visible, true);
}

/** Unsafe characters shown escaped; line feeds and tabs kept. */
export function visible(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * For an untrusted value printed inside a line: line feeds, CR and tabs
 * escaped too. Our own marked sequences in it (a colour) are kept as marked.
 */
export function oneLine(text: string): string {
  return outsideOwn(text, (t) => t.replace(UNSAFE_IN_LINE, escapeChar), false);
}

function outsideOwn(text: string, escapeText: (t: string) => string, unwrap: boolean): string {
  if (markers === null) return escapeText(text);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(markers.pattern)) {
    out += escapeText(text.slice(last, m.index)) + (unwrap ? m[1] : m[0]);
    last = m.index + m[0].length;
  }
  return out + escapeText(text.slice(last));
}
