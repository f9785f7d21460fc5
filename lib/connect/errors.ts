/**
 * One error type for the Connect layer. Each code maps to one HTTP status and a short safe
 * message; details stay in logs (never secrets or tokens) and never reach a response.
 */
export const errorCodes = {
  // 401: the caller could not be authenticated
  JWT_MISSING: 401,
  JWT_MALFORMED: 401,
  JWT_ALGORITHM: 401,
  JWT_SIGNATURE: 401,
  JWT_EXPIRED: 401,
  JWT_NOT_YET_VALID: 401,
  JWT_CLAIMS: 401,
  JWT_QSH: 401,
  JWT_AUDIENCE: 401,
  JWT_ISSUER: 401,
  INSTALL_KEY_UNKNOWN: 401,
  TENANT_UNKNOWN: 401,
  TENANT_UNINSTALLED: 401,
  // 403: authenticated, not allowed
  FORBIDDEN: 403,
  ADMIN_REQUIRED: 403,
  LICENSE_REQUIRED: 403,
  HOST_NOT_ALLOWED: 403,
  HTTPS_REQUIRED: 403,
  TENANT_DISABLED: 403,
  // 4xx: the request itself is wrong
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  // 5xx: ours or upstream
  INSTALL_KEYS_UNAVAILABLE: 503,
  PRODUCT_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

const publicMessages: Partial<Record<ErrorCode, string>> = {
  JWT_MISSING: 'Authentication required',
  JWT_MALFORMED: 'Malformed token',
  JWT_ALGORITHM: 'Token algorithm not accepted',
  JWT_SIGNATURE: 'Invalid token signature',
  JWT_EXPIRED: 'Token expired',
  JWT_NOT_YET_VALID: 'Token not yet valid',
  JWT_CLAIMS: 'Invalid token claims',
  JWT_QSH: 'Token does not match this request',
  JWT_AUDIENCE: 'Token audience does not match this app',
  JWT_ISSUER: 'Token issuer does not match',
  INSTALL_KEY_UNKNOWN: 'Unknown signing key',
  TENANT_UNKNOWN: 'Unknown installation',
  TENANT_UNINSTALLED: 'The app is not installed on this site',
  FORBIDDEN: 'Not allowed',
  ADMIN_REQUIRED: 'Site administrator permission required',
  LICENSE_REQUIRED: 'An active license is required',
  HOST_NOT_ALLOWED: 'Product host not allowed',
  HTTPS_REQUIRED: 'HTTPS required',
  TENANT_DISABLED: 'The app is disabled on this site',
  INSTALL_KEYS_UNAVAILABLE: 'Install key service unavailable, try again',
  PRODUCT_UNAVAILABLE: 'The product is unavailable, try again',
  INTERNAL: 'Internal error',
};

export class ConnectError extends Error {
  override name = 'ConnectError';
  readonly status: number;
  /** Field-level problems for 422s; safe to return. */
  readonly issues?: { path: string; message: string }[];

  constructor(
    readonly code: ErrorCode,
    /** Internal detail for logs; never sent to the client. */
    detail?: string,
    opts: { issues?: { path: string; message: string }[]; publicMessage?: string; cause?: unknown } = {},
  ) {
    super(detail ?? code, { cause: opts.cause });
    this.status = errorCodes[code];
    this.issues = opts.issues;
    this.publicMessage = opts.publicMessage ?? publicMessages[code] ?? code.toLowerCase().replace(/_/g, ' ');
  }

  readonly publicMessage: string;
}

/** The JSON body of an error response: `{ error: { code, message, issues? } }`. */
export function errorBody(err: ConnectError): { error: { code: ErrorCode; message: string; issues?: unknown } } {
  return { error: { code: err.code, message: err.publicMessage, ...(err.issues ? { issues: err.issues } : {}) } };
}

export function toConnectError(err: unknown): ConnectError {
  return err instanceof ConnectError ? err : new ConnectError('INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
}
