export { deliverWebhook, WEBHOOK_TIMEOUT_MS, type WebhookBody } from './deliver.js';
export { moveDueWebhooks } from './outbox.js';
export { openWebhookQueue, WEBHOOK_QUEUE, webhookJobId } from './queue.js';
export { startWebhookDelivery } from './worker.js';
