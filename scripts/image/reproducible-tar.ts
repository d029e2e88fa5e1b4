/**
 * A tar whose bytes depend only on the files' contents, names and modes:
 * sorted members, owner and group 0, one fixed mtime, group/other write
 * removed (GNU tar; reproducible-builds.org "archives"). Layers and release
 * archives alike.
 */
import { runTool } from "./run-tool.ts";

export async function reproducibleTar(opts: {
  dir: string;
  members: string[];
  out: string;
  created: string;
  /** GNU tar --mode; default "go-w". */
  mode?: string;
}): Promise<void> {
  const epoch = Math.floor(Date.parse(opts.created) / 1000);
  await runTool(
    [
      "tar",
      "--sort=name",
      `--mtime=@${epoch}`,
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      `--mode=${opts.mode ?? "go-w"}`,
      "-C",
      opts.dir,
      "-cf",
      opts.out,
      ...opts.members,
    ],
    { timeoutMs: 10 * 60_000 },
  );
}
