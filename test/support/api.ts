import { checkedFetch } from './contract';
import { ADMIN_KEY } from './database';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A small HTTP client for the tests: real requests over loopback, JSON in and out. Every
 * answer is checked against the app's OpenAPI document (contract.ts), and a test fails on
 * one that breaks it.
 */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null = ADMIN_KEY,
  ) {}

  as(key: string | null): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const response = await checkedFetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.key ? { Authorization: `Bearer ${this.key}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }, this.baseUrl);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }

  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** POST that must succeed with 201; returns the body. */
  async create<T = any>(path: string, body: unknown): Promise<T> {
    const response = await this.post<T>(path, body);
    if (response.status !== 201) throw new Error(`POST ${path} -> ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
}
