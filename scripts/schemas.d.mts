/** Types for scripts/schemas.mjs, imported by test/schema/schemas.test.ts. */
export const OUTPUTS: ReadonlyArray<readonly [name: string, file: string, type: string, title: string]>;
export function generateSchemas(): Map<string, string>;
