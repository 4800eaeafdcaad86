import { z } from 'zod';

/** The permission modes the factory ever writes: never bypassPermissions. */
export const PolicyPermissionModeSchema = z.enum(['default', 'plan', 'acceptEdits']);

export const ToolPolicySchema = z.object({
  /** Least-privilege tool list, in a stable order. */
  tools: z.array(z.string()).min(1),
  permissionMode: PolicyPermissionModeSchema,
  /** Why each group of tools was granted or withheld. */
  reasons: z.array(z.string()),
});
export type ToolPolicy = z.infer<typeof ToolPolicySchema>;
