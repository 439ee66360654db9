import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { REQUEST_ID_HEADER } from './request-id';

/** Response headers a browser client may read across origins (`Access-Control-Expose-Headers`). */
export const EXPOSED_HEADERS = [REQUEST_ID_HEADER, 'X-Cache', 'RateLimit', 'RateLimit-Policy', 'Retry-After'];

/**
 * helmet on every answer: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, a Content Security
 * Policy with `frame-ancestors 'none'`, and `Strict-Transport-Security` when `hstsMaxAgeSeconds` > 0. The API serves
 * JSON only, so production's policy allows nothing; in development the policy keeps only `frame-ancestors`, since
 * Apollo Sandbox's landing page runs inline and CDN scripts.
 */
export function securityHeaders(options: { isProduction: boolean; hstsMaxAgeSeconds: number }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: options.isProduction
        ? { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] }
        : { defaultSrc: helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc, frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: options.hstsMaxAgeSeconds > 0 ? { maxAge: options.hstsMaxAgeSeconds, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}
