// The public API, called exactly as any integrator would: same-origin fetch of /v1/... and /openapi.json.
// Every failure becomes an ApiError carrying an RFC 9457 problem (the API's own, or one made up for a network error).

export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
  }
}

const KEY_STORE = "claims-explorer:key";
const cache = new Map();

/** The review key, kept for this browser tab only (sessionStorage), or null. */
export function reviewKey() {
  return sessionStorage.getItem(KEY_STORE);
}

export function setReviewKey(key) {
  if (key) sessionStorage.setItem(KEY_STORE, key);
  else sessionStorage.removeItem(KEY_STORE);
  cache.clear(); // what was read with another key (or none) may differ
}

/** Headers for every request: JSON, and the key when one is set (a server with CLAIMS_READ_REQUIRES_KEY needs it
 * on reads too). */
function headersWithKey(extra) {
  const key = reviewKey();
  return { Accept: "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}), ...extra };
}

async function problemOf(response) {
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      const body = await response.json();
      if (body && typeof body === "object" && (body.title || body.detail)) return { status: response.status, ...body };
    } catch {
      // fall through: a body that does not parse is reported by its status
    }
  }
  return { type: "about:blank", title: response.statusText || `HTTP ${response.status}`, status: response.status,
    detail: `The server answered ${response.status} to ${response.url}.` };
}

async function send(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError({ type: "about:blank", title: "The API could not be reached", status: 0,
      detail: `No answer from the server for ${path} (${error.message}). Check that it is running, then try again.` });
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  return response;
}

/** GET a JSON resource: {data, etag}. Reads are kept for the page's life until a write clears them. */
export function get(path, { fresh = false } = {}) {
  if (!fresh && cache.has(path)) return cache.get(path);
  const pending = send(path, { headers: headersWithKey(), cache: fresh ? "no-cache" : "default" })
    .then(async (response) => ({ data: await response.json(), etag: response.headers.get("ETag") }));
  cache.set(path, pending);
  pending.catch(() => cache.delete(path));
  return pending;
}

export async function getData(path) {
  return (await get(path)).data;
}

/** A path with its query: query("/v1/search", {q, limit: 20}) (empty values left out). */
export function query(path, params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") search.set(name, value);
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** PATCH a record with If-Match (RFC 9110 §13.1.1) and the review key; the changed record. */
export async function patch(path, body, etag) {
  const headers = headersWithKey({ "Content-Type": "application/json", "If-Match": etag });
  let response;
  try {
    response = await send(path, { method: "PATCH", headers, body: JSON.stringify(body) });
  } finally {
    cache.clear(); // refused or not, what the page read may be stale now: read again
  }
  return { data: await response.json(), etag: response.headers.get("ETag") };
}

let contract = null;

/** The OpenAPI document's enumeration for a schema (e.g. "ContradictionStatus"), to fill filter menus. */
export async function enumOf(schema) {
  contract ??= getData("/openapi.json");
  return (await contract).components.schemas[schema]?.enum ?? [];
}
