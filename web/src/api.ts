// The typed API client: same-origin fetch with the session cookie; errors carry the
// API's code, message and field so forms can show them next to the field.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public field: string) {
    super(message);
  }
}

export interface Me {
  login: string;
  role: string;
  branch_id: string;
  staff_id: string;
  permissions: Record<string, boolean>;
}

export type Row = Record<string, unknown>;

export interface Page<T = Row> {
  items: T[];
  next_after?: string | number | null;
}

// Called when a request finds the session gone (expired or signed out elsewhere).
let onSignedOut: () => void = () => {};
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = data.error ?? {};
    if (response.status === 401 && path !== '/api/v1/auth/login') onSignedOut();
    throw new ApiError(response.status, error.code ?? 'error', error.message ?? response.statusText, error.field ?? '');
  }
  return data as T;
}

export const api = {
  login: (login: string, password: string) => request<Me & { token: string }>('POST', '/api/v1/auth/login', { login, password }),
  logout: () => request<unknown>('POST', '/api/v1/auth/logout'),
  me: () => request<Me>('GET', '/api/v1/auth/me'),
  vocabulary: () => request<Record<string, Record<string, string>>>('GET', '/api/v1/vocabulary'),
  customers: (query: Record<string, string>) =>
    request<Page>('GET', '/api/v1/customers?' + new URLSearchParams(query).toString()),
  customer: (id: string) => request<Row>('GET', `/api/v1/customers/${encodeURIComponent(id)}`),
  assets: (id: string, limit = 500) => request<Page>('GET', `/api/v1/customers/${encodeURIComponent(id)}/assets?limit=${limit}`),
  timeline: (id: string, channel: string) =>
    request<Page>('GET', `/api/v1/customers/${encodeURIComponent(id)}/timeline?limit=50${channel ? '&channel=' + channel : ''}`),
  logContact: (id: string, contact: Row) => request<Row>('POST', `/api/v1/customers/${encodeURIComponent(id)}/interactions`, contact),
  holdings: (id: string) => request<Page>('GET', `/api/v1/customers/${encodeURIComponent(id)}/holdings`),
  suitability: (id: string) => request<Row>('GET', `/api/v1/customers/${encodeURIComponent(id)}/suitability`),
  nextBestActions: (id: string) => request<Row>('GET', `/api/v1/customers/${encodeURIComponent(id)}/next-best-actions`),
  decideAction: (id: string, action: string, accept: boolean) =>
    request<Row>('POST', `/api/v1/customers/${encodeURIComponent(id)}/next-best-actions/${action}/${accept ? 'accept' : 'dismiss'}`, {}),
  branches: () => request<Page>('GET', '/api/v1/branches'),
  churnDistribution: () => request<Page & { threshold: number }>('GET', '/api/v1/analytics/churn/distribution'),
  churn: (limit = 10) => request<Page & { threshold: number }>('GET', `/api/v1/analytics/churn?limit=${limit}`),
  clusters: () => request<Page>('GET', '/api/v1/analytics/clusters'),
  ladder: () => request<Page>('GET', '/api/v1/analytics/ladder'),
  ladderMoves: (from: string, to: string) => request<Page>('GET', `/api/v1/analytics/ladder/moves?from=${from}&to=${to}`),
  cube: (query: Record<string, string>) =>
    request<{ dimensions: string[]; measures: string[]; rows: { keys: string[]; values: number[] }[] }>(
      'GET', '/api/v1/analytics/cube?' + new URLSearchParams(query).toString()),
  kpi: (level: string, period: string) => request<Page>('GET', `/api/v1/analytics/kpi?level=${level}&period=${period}`),
  model: (name: string) => request<Row>('GET', `/api/v1/analytics/models/${name}`),
  users: () => request<Page>('GET', '/api/v1/users'),
  createUser: (user: Row) => request<Row>('POST', '/api/v1/users', user),
  updateUser: (login: string, change: Row) => request<Row>('PATCH', `/api/v1/users/${encodeURIComponent(login)}`, change),
  audit: (query: Record<string, string>) => request<Page>('GET', '/api/v1/audit?' + new URLSearchParams(query).toString()),
  auditVerify: () => request<{ entries: number; intact: boolean; first_bad: number | null; problem: string }>('GET', '/api/v1/audit/verify'),
};
