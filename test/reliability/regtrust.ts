/**
 * Whole-CLI entry for child processes in the reliability tests. The file is
 * named `regtrust.ts` so src/cli/main.ts's entry-point check
 * (/regtrust(\.mjs|\.ts)?$/ on argv[1]) runs main() exactly as the shipped binary does.
 */
import "../../src/cli/main.ts";
