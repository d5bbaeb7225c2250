import { OmnipruneError } from '../errors/omniprune-error.js';

/** Component name carried by every error the data layer raises. */
export const DATA_COMPONENT = 'data';

/**
 * A file or folder the data layer needs is missing.
 * @example
 * throw fileNotFound('/data/train.bin', 'CIFAR-10 batch file', 'set data.path to the extracted folder');
 */
export function fileNotFound(file: string, what: string, hint: string, cause?: unknown): OmnipruneError {
  return new OmnipruneError('E_FILE_NOT_FOUND', `${what} not found: ${file}`, {
    plugin: DATA_COMPONENT,
    hint,
    cause,
  });
}

/**
 * A file exists but its content is not what the format promises.
 * @example
 * throw corruptFile('/data/x.idx', 'bad magic 0x0000', 're-download the file');
 */
export function corruptFile(file: string, problem: string, hint: string, cause?: unknown): OmnipruneError {
  return new OmnipruneError('E_CORRUPT_FILE', `corrupt file ${file}: ${problem}`, {
    plugin: DATA_COMPONENT,
    hint,
    cause,
  });
}

/**
 * Bad options passed to a data function (a programming or config error, not a file problem).
 * @example
 * throw badInput('batchSize must be >= 1, got 0', 'use a positive batch size');
 */
export function badInput(message: string, hint: string): OmnipruneError {
  return new OmnipruneError('E_BAD_INPUT', message, { plugin: DATA_COMPONENT, hint });
}

/** True when a Node fs error means "no such file or folder". */
export function isMissingFileError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
