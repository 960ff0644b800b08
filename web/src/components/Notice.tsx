// A message in the page's flow: an error a person can act on, or a note that part of the page
// is missing for now.
import type { ComponentChildren } from 'preact';
import type { Result } from '../graphql/client';
import { firstProblem } from '../errors';

export function Notice({ kind = 'error', children }: { kind?: 'error' | 'info'; children: ComponentChildren }) {
  return (
    <p class={`notice notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={`notice-${kind}`}>
      {children}
    </p>
  );
}

export function Loading() {
  return (
    <p class="loading" aria-busy="true">
      Loading…
    </p>
  );
}

/**
 * What a page shows while its query has no data: loading, the network failure, or the graph's
 * reason (every field the page needs failed). Nothing once there is data.
 */
export function QueryStatus({ result, failure }: { result: Result<unknown> | null; failure: string | null }) {
  if (failure) return <Notice>{failure}</Notice>;
  if (!result) return <Loading />;
  if (!result.data) return <Notice>{firstProblem(result.errors)}</Notice>;
  return null;
}
