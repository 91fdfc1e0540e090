// Public face of the KPR API client.
export { KprClient, createSender, type KprClientOptions, type SendResult, type AttemptInfo } from './client.ts';
export { buildEnvelope, envelopeBody, newMessageId, type Envelope, type EnvelopeParts } from './envelope.ts';
export { classify, retryAfterMs, type Classified } from './classify.ts';
export { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
