const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface WriteRequest {
  method: string
  /** Sec-Fetch-Site, sent by browsers only (no page can set it). */
  fetchSite: string | undefined
  origin: string | undefined
  /** scheme://host as this server sees the request (with TRUST_PROXY: as the proxy forwarded it). */
  ownOrigin: string | null
  /** PUBLIC_ORIGIN, normalised. */
  publicOrigin: string | null
}

/**
 * Whether a write comes from another site's page (a form post, a fetch with the member's cookie), which is
 * refused. Clients outside browsers send neither header and pass; so does the app's own page.
 */
export function isCrossSiteWrite(request: WriteRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false
  const allowed = (origin: string | undefined) => !!origin && (origin === request.ownOrigin || origin === request.publicOrigin)
  // The browser's own verdict. A sibling subdomain (same-site) is another site's code too.
  if (request.fetchSite === 'same-origin') return false
  if (request.fetchSite === 'cross-site' || request.fetchSite === 'same-site') return !allowed(request.origin)
  // Older browsers send Origin only; `null` (sandboxed frames, privacy redirects) is never allowed.
  return request.origin !== undefined && !allowed(request.origin)
}

/** PUBLIC_ORIGIN as browsers write it in `Origin` (no path, no trailing slash, default port dropped). */
export function normaliseOrigin(origin: string | undefined): string | null {
  if (!origin) return null
  try {
    return new URL(origin).origin
  } catch {
    throw new Error(`PUBLIC_ORIGIN 不是有效的网址：${origin}`)
  }
}
