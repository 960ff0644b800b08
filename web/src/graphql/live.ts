// Registered subscriptions over GraphQL over SSE: a POST by document id like every other request,
// answered with a stream of events. A stream that ends or fails is opened again with backoff
// (1 s doubling to 30 s, with jitter), and whoever listens is told the connection's state, so a
// page can say "reconnecting" and catch up once it is live again.
import { endpoint, type GraphQLError, type Operation } from './client';

/** Where a subscription stands: opening, delivering, or waiting to try again. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers<Data> {
  /** Each event's data. */
  data(data: Data): void;
  /** Every change of the connection's state. */
  state(state: LiveState): void;
  /** The router refused the subscription for good (no identity, an expired token). */
  refused?(errors: GraphQLError[]): void;
}

const FIRST_WAIT_MS = 1000;
const LONGEST_WAIT_MS = 30_000;
/** A stream open this long counts as healthy even without an event. */
const HEALTHY_AFTER_MS = 10_000;
/** Codes that mean trying again cannot help. */
const FINAL_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'PERSISTED_DOCUMENT_NOT_FOUND'];

/** Subscribes until the returned function is called. */
export function subscribe<Data, Variables>(
  op: Operation<Data, Variables>,
  variables: Variables,
  token: string | null,
  on: LiveHandlers<Data>,
): () => void {
  let closed = false;
  let controller: AbortController | null = null;
  let wake: (() => void) | null = null;
  const run = async () => {
    let failures = 0;
    while (!closed) {
      on.state(failures === 0 ? 'connecting' : 'reconnecting');
      controller = new AbortController();
      let openedAt: number | null = null;
      let delivered = false;
      const outcome = await stream(op, variables, token, controller.signal, on, {
        opened() {
          openedAt = Date.now();
          on.state('live');
        },
        delivered() {
          delivered = true;
        },
      }).catch(() => 'lost' as const);
      if (closed || outcome === 'refused') return;
      // A stream that delivered, or held a while, was healthy: start the backoff over.
      const held = openedAt !== null && Date.now() - openedAt >= HEALTHY_AFTER_MS;
      if (delivered || held) failures = 0;
      failures += 1;
      on.state('reconnecting');
      const wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - 1));
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, wait * (0.5 + Math.random() / 2));
      });
    }
  };
  void run();
  return () => {
    closed = true;
    controller?.abort();
    wake?.();
  };
}

/** One stream, until it ends: `refused` when trying again cannot help, else `lost`. */
async function stream<Data, Variables>(
  op: Operation<Data, Variables>,
  variables: Variables,
  token: string | null,
  signal: AbortSignal,
  on: LiveHandlers<Data>,
  progress: { opened(): void; delivered(): void },
): Promise<'refused' | 'lost'> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(endpoint(), {
    method: 'POST',
    headers,
    body: JSON.stringify({ operationName: op.name, documentId: op.id, variables }),
    signal,
  });
  const isStream = response.headers.get('content-type')?.startsWith('text/event-stream');
  if (!response.ok || !isStream || !response.body) {
    // One GraphQL answer instead of a stream: a refusal, or the router at its limit.
    const body = (await response.json().catch(() => ({}))) as { errors?: GraphQLError[] };
    return settle(body.errors ?? [], on);
  }
  progress.opened();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 'lost';
    buffer += value;
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const lines = event.split('\n');
      const kind = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (kind === 'complete') return 'lost';
      if (kind !== 'next' || !data) continue;
      const body = JSON.parse(data) as { data?: Data | null; errors?: GraphQLError[] };
      if (body.data) {
        progress.delivered();
        on.data(body.data);
      } else if (settle(body.errors ?? [], on) === 'refused') {
        return 'refused';
      }
    }
  }
}

function settle<Data>(errors: GraphQLError[], on: LiveHandlers<Data>): 'refused' | 'lost' {
  if (errors.some((error) => FINAL_CODES.includes(error.extensions?.code ?? ''))) {
    on.refused?.(errors);
    return 'refused';
  }
  return 'lost';
}
