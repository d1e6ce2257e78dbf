/**
 * The headers every picture is served with, by the service or by nginx (gateway/nginx.conf says
 * the same): its type, never sniffed; a policy that lets the file run nothing even when opened
 * as a page; and a cache lifetime that depends on who may see it.
 */
import type { MediaVisibility } from '@murmur/shared/media';
import { CONTENT_TYPES } from './image-processing.js';

/** A picture opened on its own is a document: it may show itself and nothing more. */
export const MEDIA_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

/** Public files are named by random letters and never change: cached for a year. Private ones only by the browser. */
export function cacheControlFor(area: MediaVisibility): string {
  return area === 'public' ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable';
}

/** The content type of a stored file, from its extension; undefined for a name the service never gives. */
export function contentTypeOf(name: string): string | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1);
  return Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext] : undefined;
}

export function mediaHeaders(area: MediaVisibility, contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': MEDIA_CONTENT_SECURITY_POLICY,
    'Cache-Control': cacheControlFor(area),
    // Public pictures may be shown by other sites and apps; private ones by murmur's pages only.
    'Cross-Origin-Resource-Policy': area === 'public' ? 'cross-origin' : 'same-origin',
  };
}
