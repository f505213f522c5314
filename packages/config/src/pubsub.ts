import { PubSub } from '@google-cloud/pubsub';

export { pubsubEnv } from './pubsub-env.js';

export interface PubSubOptions {
  projectId: string;
  /** host:port of the emulator; unset in GCP. */
  emulatorHost?: string | undefined;
}

/**
 * gRPC's reconnect backoff grows to 120 s by default: a broker away for a minute would then stay
 * unreached for up to two more after it is back, with orders waiting on it. Capped at 2 s, a
 * disconnected channel tries again often enough to matter and seldom enough to cost nothing.
 */
const channelOptions = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

/**
 * The one way services get a Pub/Sub client. With an emulator host the client talks plain gRPC to it
 * and needs no credentials; in GCP it uses Workload Identity through the metadata server.
 */
export function createPubSub(options: PubSubOptions): PubSub {
  if (options.emulatorHost) {
    const [host, port] = splitHostPort(options.emulatorHost);
    return new PubSub({
      projectId: options.projectId,
      apiEndpoint: `${host}:${port}`,
      emulatorMode: true,
      ...channelOptions,
    });
  }
  return new PubSub({ projectId: options.projectId, ...channelOptions });
}

export function splitHostPort(hostPort: string): [string, number] {
  const index = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, index), Number(hostPort.slice(index + 1))];
}

/**
 * Readiness of Pub/Sub: the topic answers within the deadline. The client library retries gRPC
 * UNAVAILABLE for a long time on its own, so the probe puts its own bound on it.
 */
export async function checkTopic(
  pubsub: PubSub,
  topicName: string,
  options: { emulatorHost?: string | undefined; timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const where = options.emulatorHost
    ? `the Pub/Sub emulator at ${options.emulatorHost}`
    : 'Pub/Sub';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${where} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const [exists] = await Promise.race([pubsub.topic(topicName).exists(), timeout]);
    if (!exists) throw new Error(`topic ${topicName} does not exist on ${where}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the purchase-intent topology if it is missing: topic, dead-letter topic, and the worker's
 * subscription with dead-lettering and a retry policy. Idempotent; for whoever sets a broker up
 * before the services start (the local stack, tests).
 *
 * A running service re-creates only what it owns, after an emulator restart forgot it: the
 * publisher its topic (`ensureTopic`), the consumer its subscription (`ensureSubscription`). Two
 * processes creating the same topic at the same moment have been seen to leave the emulator
 * delivering none of that topic's messages to a subscription made meanwhile, for minutes.
 */
export async function ensureTopology(
  pubsub: PubSub,
  names: { topic: string; subscription?: string; deadLetterTopic?: string },
): Promise<void> {
  await ensureTopic(pubsub, names.topic);
  if (names.subscription) {
    await ensureSubscription(pubsub, { ...names, subscription: names.subscription });
  } else if (names.deadLetterTopic) {
    await ensureDeadLetterTopic(pubsub, names.deadLetterTopic);
  }
}

/** Creates a topic unless it exists; `get({ autoCreate })` fails when another process wins the race. */
export async function ensureTopic(pubsub: PubSub, name: string): Promise<void> {
  const topic = pubsub.topic(name);
  const [exists] = await topic.exists();
  if (!exists) await topic.create().catch(ignoreAlreadyExists);
}

/** The dead-letter topic and the subscription that holds its messages for an operator. */
export async function ensureDeadLetterTopic(pubsub: PubSub, name: string): Promise<void> {
  await ensureTopic(pubsub, name);
  const hold = pubsub.topic(name).subscription(`${name}-hold`);
  const [held] = await hold.exists();
  if (!held) await hold.create().catch(ignoreAlreadyExists);
}

/**
 * The consumer's subscription, with its dead-letter topic. The topic itself is the publisher's to
 * create: while it is missing this fails with NOT_FOUND, and the caller tries again.
 */
export async function ensureSubscription(
  pubsub: PubSub,
  names: { topic: string; subscription: string; deadLetterTopic?: string },
): Promise<void> {
  if (names.deadLetterTopic) await ensureDeadLetterTopic(pubsub, names.deadLetterTopic);
  const subscription = pubsub.topic(names.topic).subscription(names.subscription);
  const [exists] = await subscription.exists();
  if (exists) return;
  await subscription
    .create({
      ackDeadlineSeconds: 60,
      ...(names.deadLetterTopic
        ? {
            deadLetterPolicy: {
              deadLetterTopic: pubsub.topic(names.deadLetterTopic).name,
              maxDeliveryAttempts: 10,
            },
          }
        : {}),
      retryPolicy: {
        minimumBackoff: { seconds: 1 },
        maximumBackoff: { seconds: 60 },
      },
    })
    .catch(ignoreAlreadyExists);
}

/** For a create that another process (checkout, a worker replica) may have made meanwhile. */
export function ignoreAlreadyExists(err: unknown): void {
  if (grpcCode(err) !== grpcAlreadyExists) throw err;
}

/** gRPC NOT_FOUND: a topic or subscription is gone, e.g. on an emulator that restarted. */
export const grpcNotFound = 5;
/** gRPC ALREADY_EXISTS: a create lost a race with another process's. */
export const grpcAlreadyExists = 6;
/** gRPC PERMISSION_DENIED: in GCP, a service account that may publish but not administer topics. */
export const grpcPermissionDenied = 7;

/** The gRPC status code of a Pub/Sub client error, if it carries one. */
export function grpcCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number'
    ? err.code
    : undefined;
}

/**
 * `promise`, or a rejection once `ms` passed. The client's own deadlines and retries run for a
 * minute; a caller with a tighter bound (a fan's request, a shutdown) uses this. The abandoned
 * promise may still settle later; its outcome no longer matters.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        reject(new Error(`no answer within ${ms} ms`));
      },
      Math.max(0, ms),
    );
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
