import { z } from 'zod';
import { BatchNameSchema, checkRequirementsArray, IdempotencyKeySchema, RequirementsInputError, TenantSchema, WebhookUrlSchema, type ArrayCheckResult, type BatchItemInput, type BatchSubmission } from '@agent-factory/queue';
import { HttpError } from './errors.js';

/** Also bounded by the body limit. */
export const MAX_ITEMS_PER_REQUEST = 100_000;
/** Bad items listed in a 400 (all are counted): a body of 100,000 bad items would otherwise answer megabytes. */
export const MAX_LISTED_PROBLEMS = 1000;

/** The batch's own fields; unknown fields are refused so a typo is not silently ignored. */
const EnvelopeSchema = z.strictObject({
  name: BatchNameSchema.optional(),
  tenant: TenantSchema.optional(),
  priority: z.number().int().min(1).max(10).optional(),
  idempotencyKey: IdempotencyKeySchema.optional(),
  useCache: z.boolean().optional(),
  mode: z.enum(['realtime', 'batch']).optional(),
  webhook: WebhookUrlSchema.optional(),
  requirements: z.array(z.unknown()),
});

export interface BatchRequest {
  items: BatchItemInput[];
  submission: BatchSubmission;
}

function invalid(message: string, details: unknown): HttpError {
  return new HttpError(400, 'invalid_body', message, details);
}

/**
 * POST /api/batches: the body is an array of requirements (strings or objects) or
 * `{name?, tenant?, priority?, idempotencyKey?, useCache?, mode?, webhook?, requirements}`. Every problem is reported
 * (with the item's index) in one 400, and nothing is returned unless everything is good.
 */
export function parseBatchRequest(body: unknown, idempotencyHeader: string | undefined): BatchRequest {
  let requirements: unknown[];
  let submission: BatchSubmission = {};
  if (Array.isArray(body)) {
    requirements = body;
  } else {
    const envelope = EnvelopeSchema.safeParse(body);
    if (!envelope.success) {
      const details = envelope.error.issues.map((i) => ({ field: i.path.join('.') || 'body', reason: i.message }));
      throw invalid('the body must be an array of requirements or {name?, tenant?, priority?, idempotencyKey?, useCache?, mode?, webhook?, requirements: [...]}', details);
    }
    const { requirements: list, ...rest } = envelope.data;
    requirements = list;
    submission = rest;
  }

  if (idempotencyHeader !== undefined) {
    const key = IdempotencyKeySchema.safeParse(idempotencyHeader);
    if (!key.success) throw invalid('bad Idempotency-Key header', [{ field: 'Idempotency-Key', reason: key.error.issues[0]?.message ?? 'invalid' }]);
    if (submission.idempotencyKey !== undefined && submission.idempotencyKey !== key.data) {
      throw invalid('the Idempotency-Key header and the body idempotencyKey differ', [{ field: 'idempotencyKey', reason: 'differs from the header' }]);
    }
    submission = { ...submission, idempotencyKey: key.data };
  }

  let checked: ArrayCheckResult;
  try {
    // The same record checks as `submit` (strict fields, length, tier, model, duplicate ids, one tenant).
    checked = checkRequirementsArray(requirements, { tenant: submission.tenant, maxItems: MAX_ITEMS_PER_REQUEST, maxErrors: MAX_LISTED_PROBLEMS });
  } catch (error) {
    // The list as a whole is unusable: empty, or too long.
    if (error instanceof RequirementsInputError) throw invalid(error.message, [{ field: 'requirements', reason: error.message }]);
    throw error;
  }
  if (checked.invalid > 0) {
    const details = checked.errors.map((e) => ({ index: e.index, reason: e.message }));
    const listed = checked.invalid > details.length ? ` (the first ${details.length} are listed)` : '';
    throw invalid(`${checked.invalid} of ${requirements.length} requirements are not valid${listed}; nothing was enqueued`, details);
  }
  return { items: checked.items, submission: checked.tenant === undefined ? submission : { ...submission, tenant: checked.tenant } };
}
