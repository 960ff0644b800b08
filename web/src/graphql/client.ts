// The one way the page talks to the graph: a registered operation POSTed to the router's
// /graphql by its id in the contract's persisted-document manifest (the router holds the text),
// so the page runs exactly what the schema checks protect, also where the router runs nothing
// else (trusted documents, in production).
import manifest from '../../../contract/persisted-documents.json';

/** A GraphQL error as the router returns it. */
export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

/** What an operation answered: data (possibly partial) and errors. */
export interface Result<Data> {
  data: Data | null;
  errors: GraphQLError[];
}

/** A registered operation, typed by its result and variables. */
export interface Operation<Data, Variables> {
  readonly name: string;
  /** The SHA-256 of its text: its id in the manifest. */
  readonly id: string;
  /** Phantom fields carrying the types. */
  readonly __types?: [Data, Variables];
}

export function operation<Data, Variables>(name: string): Operation<Data, Variables> {
  const entry = manifest.operations.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`${name} is not a registered operation`);
  return { name, id: entry.id };
}

/** The request failed before the graph answered (network down, router unreachable). */
export class NetworkError extends Error {}

/** The router's GraphQL endpoint, as the server that sent the page names it. */
export function endpoint(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="storefront-graphql"]');
  return meta?.content || '/graphql';
}

export async function execute<Data, Variables>(
  op: Operation<Data, Variables>,
  variables: Variables,
  token: string | null,
): Promise<Result<Data>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(endpoint(), {
      method: 'POST',
      headers,
      body: JSON.stringify({ operationName: op.name, documentId: op.id, variables }),
    });
  } catch {
    throw new NetworkError('The shop cannot be reached right now. Check your connection and try again.');
  }
  let body: { data?: Data | null; errors?: GraphQLError[] };
  try {
    body = await response.json();
  } catch {
    throw new NetworkError(`The shop answered with an unreadable response (HTTP ${response.status}).`);
  }
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/** Errors at or below `path` (e.g. `['product', 'pricing']`). */
export function errorsAt(errors: GraphQLError[], ...path: (string | number)[]): GraphQLError[] {
  return errors.filter((error) => path.every((segment, index) => error.path?.[index] === segment));
}
