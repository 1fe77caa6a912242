// The REST API client: bearer token from localStorage, one error type, expiry back to login.

const TOKEN = 'mmm.token';
const USER = 'mmm.user';

export interface Problem { column?: string; line?: number; reason: string }

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details: Problem[] = []) {
    super(message);
  }
}

export interface User { id: string; email: string; full_name: string | null; role: string }

export const session = {
  token: (): string | null => localStorage.getItem(TOKEN),
  user: (): User | null => {
    const raw = localStorage.getItem(USER);
    return raw ? (JSON.parse(raw) as User) : null;
  },
  save(token: string, user: User): void {
    localStorage.setItem(TOKEN, token);
    localStorage.setItem(USER, JSON.stringify(user));
  },
  clear(): void {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
  },
  /** Seconds until the token expires (negative when it has). */
  remaining(): number {
    const token = this.token();
    if (!token) return -1;
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
      return (payload.exp ?? 0) - Date.now() / 1000;
    } catch {
      return -1;
    }
  },
};

let onExpired: () => void = () => undefined;
/** What to do when the server says the session is over. */
export function whenExpired(f: () => void): void {
  onExpired = f;
}

async function failure(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code: string; message: string; details?: Problem[] } };
    if (body.error) return new ApiError(response.status, body.error.code, body.error.message, body.error.details ?? []);
  } catch {
    // not JSON
  }
  return new ApiError(response.status, 'http', `the server answered ${response.status}`);
}

/** Calls the API; JSON bodies are encoded, FormData and strings are sent as they are. */
export async function raw(method: string, path: string, body?: unknown, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData || typeof body === 'string') {
    payload = body;
    if (contentType) headers['Content-Type'] = contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401 && token) {
      session.clear();
      onExpired();
    }
    throw error;
  }
  return response;
}

export async function api<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const response = await raw(method, path, body, contentType);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown): Promise<T> => api<T>('POST', path, body);
export const del = (path: string): Promise<void> => api<void>('DELETE', path);

/** The WebSocket URL of a job's progress stream (the token rides in the query). */
export function jobSocket(jobId: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/v1/jobs/${jobId}/ws?token=${encodeURIComponent(session.token() ?? '')}`;
}

/** Downloads an authenticated file (exports) under the name the server gives. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const response = await raw('GET', path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  saveFile(await response.blob(), name);
  return name;
}

/** Saves `blob` as a file named `name` through the browser's download. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
