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
  SESSION_REQUIRED: 403,
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

/** The framework's own codes. Apps add theirs with {@link defineErrorCodes}. */
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
  SESSION_REQUIRED: 'Reload the page and try again',
  INSTALL_KEYS_UNAVAILABLE: 'Install key service unavailable, try again',
  PRODUCT_UNAVAILABLE: 'The product is unavailable, try again',
  INTERNAL: 'Internal error',
};

export interface ConnectErrorOptions {
  /** Field-level problems (422s); safe to return. */
  issues?: { path: string; message: string }[];
  /** What the client is told; defaults to the code's message. */
  publicMessage?: string;
  cause?: unknown;
  /** Safe, structured detail for the client (e.g. a 409's current item). */
  details?: Record<string, unknown>;
  /** HTTP status; required for codes the framework does not know (see defineErrorCodes). */
  status?: number;
}

/**
 * The one error type: a stable `code` mapped to one HTTP status and a short public message.
 * The constructor's `detail` is internal (logs only), never sent to a client.
 */
export class ConnectError extends Error {
  override name = 'ConnectError';
  readonly status: number;
  readonly issues?: { path: string; message: string }[];
  readonly details?: Record<string, unknown>;
  readonly publicMessage: string;

  constructor(
    readonly code: ErrorCode | (string & {}),
    /** Internal detail for logs; never sent to the client. */
    detail?: string,
    opts: ConnectErrorOptions = {},
  ) {
    super(detail ?? code, { cause: opts.cause });
    const known = (errorCodes as Record<string, number>)[code];
    this.status = opts.status ?? known ?? 500;
    this.issues = opts.issues;
    this.details = opts.details;
    this.publicMessage = opts.publicMessage ?? (publicMessages as Record<string, string>)[code] ?? code.toLowerCase().replace(/_/g, ' ');
  }
}

/**
 * An app's own error codes, each with its status and public message, without editing the
 * framework: `const appError = defineErrorCodes({ ITEM_LIMIT: { status: 422, message: '…' } })`
 * then `throw appError('ITEM_LIMIT', 'internal detail')`. The framework's codes cannot be redefined.
 */
export function defineErrorCodes<C extends string>(table: Record<C, { status: number; message: string }>) {
  for (const [code, def] of Object.entries<{ status: number; message: string }>(table)) {
    if (Object.hasOwn(errorCodes, code)) throw new Error(`error code ${code} is the framework's own`);
    if (!Number.isInteger(def.status) || def.status < 400 || def.status > 599) throw new Error(`error code ${code}: status ${def.status} is not 4xx/5xx`);
  }
  return (code: C, detail?: string, opts: Omit<ConnectErrorOptions, 'status'> = {}): ConnectError =>
    new ConnectError(code, detail, { publicMessage: table[code].message, ...opts, status: table[code].status });
}

/** The JSON body of an error response: `{ error: { code, message, issues? }, ...details }`. */
export function errorBody(err: ConnectError): { error: { code: string; message: string; issues?: unknown } } & Record<string, unknown> {
  return { ...err.details, error: { code: err.code, message: err.publicMessage, ...(err.issues ? { issues: err.issues } : {}) } };
}

export function toConnectError(err: unknown): ConnectError {
  return err instanceof ConnectError ? err : new ConnectError('INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
}
