/** Stable error codes. Each names a class of failure the user can act on. */
export type OmnipruneErrorCode =
  | 'E_BAD_INPUT'
  | 'E_BAD_YAML'
  | 'E_SCHEMA'
  | 'E_UNKNOWN_PLUGIN'
  | 'E_DUPLICATE_PLUGIN'
  | 'E_PLUGIN_LOAD'
  | 'E_PLUGIN_FAILED'
  | 'E_FILE_NOT_FOUND'
  | 'E_CORRUPT_FILE'
  | 'E_UNPRUNABLE'
  | 'E_BAD_PLAN'
  | 'E_BACKEND'
  | 'E_NAN_LOSS'
  | 'E_UNREACHABLE_TARGET'
  | 'E_UNSUPPORTED_LAYER'
  | 'E_UNSUPPORTED_ONNX_OP'
  | 'E_UNSUPPORTED_MODEL'
  | 'E_QUEUE'
  | 'E_WRITE'
  | 'E_INTERNAL';

/** Error codes that mean the user gave bad input (CLI exit code 2); others mean the run failed (exit 1). */
export const INPUT_ERROR_CODES: ReadonlySet<OmnipruneErrorCode> = new Set([
  'E_BAD_INPUT',
  'E_BAD_YAML',
  'E_SCHEMA',
  'E_UNKNOWN_PLUGIN',
  'E_DUPLICATE_PLUGIN',
  'E_PLUGIN_LOAD',
  'E_FILE_NOT_FOUND',
  'E_CORRUPT_FILE',
  'E_UNREACHABLE_TARGET',
  'E_UNSUPPORTED_ONNX_OP',
  'E_UNSUPPORTED_MODEL',
  'E_QUEUE',
]);

/** Options of {@link OmnipruneError}. */
export interface OmnipruneErrorOptions {
  /** What the user should do next, appended to the message. */
  hint?: string;
  /** Plugin or component that raised the error, e.g. `pruner:layer`. */
  plugin?: string;
  /** Underlying error. */
  cause?: unknown;
}

/**
 * The one error type omniprune throws on purpose: a stable `code`, the component name, and a hint.
 * @example
 * throw new OmnipruneError('E_FILE_NOT_FOUND', `no model at ${p}`, { hint: 'check the path' });
 */
export class OmnipruneError extends Error {
  readonly code: OmnipruneErrorCode;
  readonly hint?: string;
  readonly plugin?: string;

  constructor(code: OmnipruneErrorCode, message: string, options: OmnipruneErrorOptions = {}) {
    const prefix = options.plugin ? `[${options.plugin}] ` : '';
    const suffix = options.hint ? `\n  hint: ${options.hint}` : '';
    super(`${prefix}${message}${suffix}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OmnipruneError';
    this.code = code;
    this.hint = options.hint;
    this.plugin = options.plugin;
  }
}

/** True when `err` is an {@link OmnipruneError} with one of the given codes (any code when none given). */
export function isOmnipruneError(err: unknown, ...codes: OmnipruneErrorCode[]): err is OmnipruneError {
  return err instanceof OmnipruneError && (codes.length === 0 || codes.includes(err.code));
}
