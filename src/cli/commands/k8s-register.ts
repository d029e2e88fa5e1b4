import type { Command } from "commander";
import type { SetExit } from "../common-options.ts";
import type { Io } from "../io.ts";

/** Registers `regtrust k8s …` (being written; replaced by the k8s triage work). */
export function registerK8sCommands(_program: Command, _io: Io, _setExit: SetExit): void {}
