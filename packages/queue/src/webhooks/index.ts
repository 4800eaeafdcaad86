export type { WebhookBody } from './deliver.js';
export { openWebhookQueue, WEBHOOK_QUEUE } from './queue.js';
