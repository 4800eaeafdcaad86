import { z } from 'zod';
import { ApiError } from './errors.js';

/** `cache_control` as the API takes it: ephemeral, 5 minutes unless `ttl: "1h"`. */
const CacheControlSchema = z.strictObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
export type CacheControl = z.infer<typeof CacheControlSchema>;

const TextBlockSchema = z.object({
  type: z.literal('text'),
  text: z.string().min(1, 'text content blocks must be non-empty'),
  cache_control: CacheControlSchema.nullish(),
  citations: z.unknown().optional(),
});

/** Any content block: text is checked, other kinds (image, tool_result …) pass as they are. */
const ContentBlockSchema = z
  .looseObject({ type: z.string().min(1), text: z.unknown().optional(), cache_control: CacheControlSchema.nullish() })
  .superRefine((block, ctx) => {
    if (block.type === 'text' && (typeof block.text !== 'string' || block.text.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text content blocks must be non-empty' });
    }
  });
export type ContentBlock = z.infer<typeof ContentBlockSchema>;

const MessageParamSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(ContentBlockSchema)]),
});
export type MessageParam = z.infer<typeof MessageParamSchema>;

const ToolSchema = z.looseObject({ name: z.string().min(1), cache_control: CacheControlSchema.nullish() });

/** The prompt part shared by `/v1/messages` and `/v1/messages/count_tokens`. Unknown fields are ignored. */
const PromptFields = {
  model: z.string().min(1),
  messages: z.array(MessageParamSchema).min(1),
  system: z.union([z.string(), z.array(TextBlockSchema)]).optional(),
  tools: z.array(ToolSchema).optional(),
};

export const CountTokensBodySchema = z.object(PromptFields);
export type CountTokensBody = z.infer<typeof CountTokensBodySchema>;

export const MessageCreateBodySchema = z.object({
  ...PromptFields,
  max_tokens: z.number().int().min(1),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string().min(1)).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
});
export type MessageCreateBody = z.infer<typeof MessageCreateBodySchema>;

/** `custom_id` as the API constrains it. */
export const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export const BatchCreateBodySchema = z.object({
  requests: z
    .array(
      z.object({
        custom_id: z.string().regex(CUSTOM_ID, 'custom_id must match ^[a-zA-Z0-9_-]{1,64}$'),
        // Params are checked when the batch is processed, as the API does: bad ones end `errored`.
        params: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1),
});
export type BatchCreateBody = z.infer<typeof BatchCreateBodySchema>;

/** The API reports problems as `path: message`, e.g. `messages.0.content: Field required`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const message = issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'Field required' : issue.message;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${message}` : message;
}

/** Parses a body or throws the API's 400. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ApiError(400, describeIssue(result.error));
  return result.data;
}
