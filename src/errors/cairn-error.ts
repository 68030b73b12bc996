/**
 * One error model for the whole server (style.md §8). `status` and `message` are what the wire
 * shows when `expose` is true; `cause` never leaves the server. Anything that is not a CairnError,
 * or is one with `expose: false`, is written as a generic 500 by the protocol adapters.
 */
export interface CairnErrorOptions {
  status: number;
  code: string;
  message: string;
  expose?: boolean;
  detail?: Record<string, unknown>;
  cause?: unknown;
}

export class CairnError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly detail: Record<string, unknown> | undefined;

  constructor(options: CairnErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.status = options.status;
    this.code = options.code;
    this.expose = options.expose ?? options.status < 500;
    this.detail = options.detail;
  }
}

export const isCairnError = (e: unknown): e is CairnError => e instanceof CairnError;

/**
 * A dependency (the store) cannot serve now, e.g. while the database restarts: the protocol writers
 * answer 503 Service Unavailable (never its cause), nothing advanced, and the client may retry.
 */
export const isUnavailable = (e: unknown): boolean => e instanceof CairnError && e.status === 503;

/** A client sent something the protocol does not allow (wrong callback shape, bad JSON, …). */
export const badRequest = (code: string, message: string, detail?: Record<string, unknown>): CairnError =>
  new CairnError({ status: 400, code, message, ...(detail ? { detail } : {}) });
