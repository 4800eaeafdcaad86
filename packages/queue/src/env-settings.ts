import type { z } from 'zod';

/**
 * Settings read from the environment: each field's variable (unset or empty leaves the schema's
 * default), converted by `read` (which may throw), then checked by the schema. Any bad value is an
 * error that names its variable, which is what a user has to fix.
 */
export function settingsFromEnv<S extends z.ZodType>(
  schema: S,
  names: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
  read: (field: string, value: string) => unknown = (_field, value) => value,
): z.output<S> {
  const raw: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(names)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    try {
      raw[field] = read(field, value);
    } catch (error) {
      throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const field = result.error.issues[0]?.path[0];
    throw new Error(`${typeof field === 'string' && names[field] ? names[field] : 'environment'}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data;
}
