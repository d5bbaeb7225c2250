import { z } from 'zod';

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * Option schema of a regular expression (a pruner's `include`/`exclude`): an invalid pattern fails when the pipeline is
 * validated, naming its path, not when the pruner first proposes.
 * @example
 * options: z.strictObject({ include: regexOption.optional() })
 */
export const regexOption = z.string().min(1).refine(isRegex, { message: 'invalid regular expression' });

/**
 * A name test from optional `include` / `exclude` regular expressions: a name passes when it matches `include`
 * (or there is none) and does not match `exclude`.
 * @example
 * nameFilter('^s2', '_b0_')('s2_b1_add') // true
 */
export function nameFilter(include?: string, exclude?: string): (name: string) => boolean {
  const inc = include ? new RegExp(include) : undefined;
  const exc = exclude ? new RegExp(exclude) : undefined;
  return (name) => (!inc || inc.test(name)) && !exc?.test(name);
}
