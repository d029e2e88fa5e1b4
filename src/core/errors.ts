/**
 * Errors that end a command. Everything else a check discovers is a Finding.
 * The top-level handler in cli/main.ts maps these classes to exit codes:
 * UsageError and InputError → 2, anything else → 3.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Bad input: a file that does not parse, a malformed target. Names the file or host. */
export class InputError extends Error {
  override name = "InputError";
}

export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof InputError) return EXIT.usage;
  return EXIT.internal;
}
