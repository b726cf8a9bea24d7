// The typed API client. Paths, parameters and answers are typed by
// src/generated/openapi.ts, which the build generates from docs/openapi.json with
// openapi-typescript (npm run generate): a route or field the document lacks is a
// compile error, so the console and the server cannot drift apart. Requests go through
// openapi-fetch, same-origin with the session cookie; errors carry the API's code,
// message and field so that forms can show them next to the field.
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/openapi';

export type Schemas = components['schemas'];
export type Me = Schemas['Principal'];
export type Row = Record<string, unknown>;

export interface Page<T = Row> {
  items: T[];
  next_after?: string | number | null;
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public field: string) {
    super(message);
  }
}

// Called when a request finds the session gone (expired or signed out elsewhere).
let onSignedOut: () => void = () => {};
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

const client = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function unwrap<T>(pending: Promise<Answer<T>>): Promise<NonNullable<T>> {
  const { data, error, response } = await pending;
  if (!response.ok || data === undefined) {
    const body = ((error ?? {}) as { error?: { code?: string; message?: string; field?: string } }).error ?? {};
    if (response.status === 401 && !response.url.endsWith('/api/v1/auth/login')) onSignedOut();
    throw new ApiError(response.status, body.code ?? 'error', body.message ?? response.statusText, body.field ?? '');
  }
  return data as NonNullable<T>;
}

// Values typed into filter forms are text; the server checks each and names a bad one
// (400 with its field), so the console passes them on as typed.
type FormQuery = Record<string, string>;
type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? Q : never;
const asTyped = <P extends keyof paths>(query: FormQuery) => query as unknown as QueryOf<P>;

// The client for one page: every request it makes is aborted when `signal` is (the
// router aborts it when the user leaves the page).
export function apiClient(signal?: AbortSignal) {
  const init = { signal };
  const customerPath = (customer_id: string) => ({ path: { customer_id } });
  return {
    login: (login: string, password: string) =>
      unwrap(client.POST('/api/v1/auth/login', { ...init, body: { login, password } })),
    logout: () => unwrap(client.POST('/api/v1/auth/logout', init)),
    me: () => unwrap(client.GET('/api/v1/auth/me', init)),
    session: () => unwrap(client.GET('/api/v1/auth/session', init)),
    vocabulary: () => unwrap(client.GET('/api/v1/vocabulary', init)) as Promise<Record<string, Record<string, string>>>,
    customers: (query: FormQuery) =>
      unwrap(client.GET('/api/v1/customers', { ...init, params: { query: asTyped<'/api/v1/customers'>(query) } })) as Promise<Page>,
    customer: (id: string) =>
      unwrap(client.GET('/api/v1/customers/{customer_id}', { ...init, params: customerPath(id) })) as Promise<Row>,
    assets: (id: string, limit = 500) =>
      unwrap(client.GET('/api/v1/customers/{customer_id}/assets', {
        ...init, params: { ...customerPath(id), query: { limit } },
      })) as Promise<Page>,
    timeline: (id: string, channel: string) =>
      unwrap(client.GET('/api/v1/customers/{customer_id}/timeline', {
        ...init, params: { ...customerPath(id), query: { limit: 50, ...(channel ? { channel } : {}) } },
      })) as Promise<Page>,
    logContact: (id: string, contact: Row) =>
      unwrap(client.POST('/api/v1/customers/{customer_id}/interactions', {
        ...init, params: customerPath(id), body: contact,
      })) as Promise<Row>,
    holdings: (id: string) =>
      unwrap(client.GET('/api/v1/customers/{customer_id}/holdings', { ...init, params: customerPath(id) })) as Promise<Page>,
    suitability: (id: string) =>
      unwrap(client.GET('/api/v1/customers/{customer_id}/suitability', { ...init, params: customerPath(id) })) as Promise<Row>,
    nextBestActions: (id: string) =>
      unwrap(client.GET('/api/v1/customers/{customer_id}/next-best-actions', { ...init, params: customerPath(id) })) as Promise<Row>,
    decideAction: (id: string, action: string, accept: boolean) =>
      unwrap(accept
        ? client.POST('/api/v1/customers/{customer_id}/next-best-actions/{action}/accept', {
            ...init, params: { path: { customer_id: id, action } }, body: {},
          })
        : client.POST('/api/v1/customers/{customer_id}/next-best-actions/{action}/dismiss', {
            ...init, params: { path: { customer_id: id, action } }, body: {},
          })) as Promise<Row>,
    branches: () => unwrap(client.GET('/api/v1/branches', init)) as Promise<Page>,
    churnDistribution: () => unwrap(client.GET('/api/v1/analytics/churn/distribution', init)),
    churn: (limit = 10) => unwrap(client.GET('/api/v1/analytics/churn', { ...init, params: { query: { limit } } })),
    clusters: () => unwrap(client.GET('/api/v1/analytics/clusters', init)),
    ladder: () => unwrap(client.GET('/api/v1/analytics/ladder', init)) as Promise<Page>,
    ladderMoves: (from: string, to: string) =>
      unwrap(client.GET('/api/v1/analytics/ladder/moves', { ...init, params: { query: { from, to } } })),
    cube: (query: FormQuery) =>
      unwrap(client.GET('/api/v1/analytics/cube', { ...init, params: { query: asTyped<'/api/v1/analytics/cube'>(query) } })),
    kpi: (level: string, period: string) =>
      unwrap(client.GET('/api/v1/analytics/kpi', {
        ...init, params: { query: asTyped<'/api/v1/analytics/kpi'>({ level, ...(period ? { period } : {}) }) },
      })),
    model: (name: string) => unwrap(client.GET('/api/v1/analytics/models/{name}', { ...init, params: { path: { name } } })),
    users: () => unwrap(client.GET('/api/v1/users', init)) as Promise<Page>,
    createUser: (user: Row) => unwrap(client.POST('/api/v1/users', { ...init, body: user as never })),
    updateUser: (login: string, change: Row) =>
      unwrap(client.PATCH('/api/v1/users/{login}', { ...init, params: { path: { login } }, body: change as never })),
    audit: (query: FormQuery) =>
      unwrap(client.GET('/api/v1/audit', { ...init, params: { query: asTyped<'/api/v1/audit'>(query) } })) as Promise<Page>,
    auditVerify: () => unwrap(client.GET('/api/v1/audit/verify', init)),
  };
}

export type Api = ReturnType<typeof apiClient>;

// The shell's own client (sign-in, the menu, the vocabulary), never aborted.
export const api = apiClient();
