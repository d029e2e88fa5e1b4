import { UsageError } from "../../core/errors.ts";
import { NODE_ACTIONS, type NodeAction } from "./pod-spec.ts";

/** What `regtrust k8s node …` was asked to do, split from the command that runs on the node. */
export interface NodeInvocation {
  /** null with --all. */
  node: string | null;
  action: NodeAction;
  /** The inner command's arguments, as typed (before --ca is rewritten). */
  args: string[];
  /** regtrust's own flags typed after the node name (kubectl habit), lifted out of `args`. */
  lifted: Record<string, string | true>;
}

/** Flags that belong to `k8s node` itself wherever they appear; no inner command has them. */
const OWN_VALUE_FLAGS = new Map([
  ["--kubeconfig", "kubeconfig"],
  ["--context", "context"],
  ["-n", "namespace"],
  ["--namespace", "namespace"],
  ["--image", "image"],
  ["--parallel", "parallel"],
  ["--wait", "wait"],
  ["--deadline", "deadline"],
]);

export function parseNodeInvocation(words: readonly string[], all: boolean): NodeInvocation {
  const lifted: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const [flag, inline] = word.startsWith("--") && word.includes("=") ? splitOnce(word) : [word, undefined];
    const key = OWN_VALUE_FLAGS.get(flag);
    if (key !== undefined) {
      const value = inline ?? words[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      lifted[key] = value;
    } else if (word === "--all") {
      lifted.all = true;
    } else {
      rest.push(word);
    }
  }
  const everyNode = all || lifted.all === true;
  const [first, second, ...tail] = rest;
  const node = everyNode ? null : (first ?? null);
  const actionWord = everyNode ? first : second;
  const args = everyNode ? [second, ...tail].filter((a): a is string => a !== undefined) : tail;
  if (!everyNode && node === null) throw new UsageError("name a node, or pass --all");
  if (node !== null) checkNodeName(node);
  if (actionWord === undefined)
    throw new UsageError(`say what to run on the node: ${NODE_ACTIONS.join(", ")}`);
  if (!(NODE_ACTIONS as readonly string[]).includes(actionWord)) {
    throw new UsageError(`"${actionWord}" cannot run on a node (one of: ${NODE_ACTIONS.join(", ")})`);
  }
  if (args.some((a) => a === "--root" || a.startsWith("--root="))) {
    throw new UsageError("--root is set by regtrust k8s node (the node's / is mounted at /host)");
  }
  return { node, action: actionWord as NodeAction, args, lifted };
}

function splitOnce(word: string): [string, string] {
  const at = word.indexOf("=");
  return [word.slice(0, at), word.slice(at + 1)];
}

/** Node names are DNS-1123 subdomains. */
function checkNodeName(node: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(node)) {
    throw new UsageError(`"${node}" is not a node name (lower-case letters, digits, "-" and "." only)`);
  }
}

/** `--ca FILE` / `--ca=FILE` → the file's path, and the args with the value replaced. */
export function takeCaFile(
  args: readonly string[],
  replacement: string,
): { file: string | null; args: string[] } {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const arg = out[i] ?? "";
    if (arg === "--ca" && out[i + 1] !== undefined) {
      const file = out[i + 1] as string;
      out[i + 1] = replacement;
      return { file, args: out };
    }
    if (arg.startsWith("--ca=")) {
      out[i] = `--ca=${replacement}`;
      return { file: arg.slice(5), args: out };
    }
  }
  return { file: null, args: out };
}
