// The admin API, as the page reads it (the endpoints and their answers: ../admin/endpoints.ts).

export const API = "/_emulator";

/** The answer of an admin endpoint; a refusal throws with its detail. */
export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(API + path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.errors?.[0]?.detail ?? `HTTP ${res.status}`);
  return body as T;
}

export const enc = encodeURIComponent;
