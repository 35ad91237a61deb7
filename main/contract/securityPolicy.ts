/**
 * The renderer's Content-Security-Policy, one definition for both shells: only the app's own
 * scripts and styles, no inline code, no remote content, no framing. `sources` adds the origins a
 * shell serves case files or the contract from (the Electron case-file scheme, the loopback
 * WebSocket of `kestrel serve`).
 */
export function contentSecurityPolicy(sources: { readonly caseFiles: string; readonly connect: string }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: ${sources.caseFiles}`,
    `media-src ${sources.caseFiles}`,
    `connect-src ${sources.connect}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
