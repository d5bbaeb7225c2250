import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePipelineYaml, validatePipeline } from '@omniprune/core';
import { builtinContainer } from '../../src/shared/plugin-registry.js';
import { ROOT } from '../spawn-cli.js';
import { applyEdits, applyJsonEdits, byteEdits, FUZZ_RUNS, isUserFacing, jsonEdits } from './fuzz-settings.js';

const EXAMPLES = ['quickstart.yaml', 'fashion-mnist-resnet56-paper.yaml', 'vit-fashion-mnist.yaml', 'quickstart-evaluate.yaml'];
const texts = await Promise.all(EXAMPLES.map((f) => readFile(join(ROOT, 'examples', f), 'utf8')));
const container = builtinContainer();

/** Validate and classify: ok, or a user-facing error; anything else is returned for the assertion message. */
function outcome(run: () => unknown): 'ok' | 'user-error' | Error {
  try {
    run();
    return 'ok';
  } catch (err) {
    return isUserFacing(err) ? 'user-error' : (err as Error);
  }
}

describe(`fuzz: pipelines (${FUZZ_RUNS} cases per property)`, () => {
  it('mutated pipeline objects validate or give an omniprune error, never a TypeError', () => {
    fc.assert(
      fc.property(fc.nat({ max: EXAMPLES.length - 1 }), jsonEdits, (which, edits) => {
        const raw = applyJsonEdits(parsePipelineYaml(texts[which], EXAMPLES[which]), edits);
        const r = outcome(() => validatePipeline(raw, container, join(ROOT, 'examples', EXAMPLES[which])));
        expect(r, r instanceof Error ? r.stack : '').not.toBeInstanceOf(Error);
      }),
    );
  });

  it('mutated YAML text parses and validates or gives an omniprune error', () => {
    fc.assert(
      fc.property(fc.nat({ max: EXAMPLES.length - 1 }), byteEdits, (which, edits) => {
        const text = Buffer.from(applyEdits(Buffer.from(texts[which]), edits)).toString('utf8');
        const r = outcome(() => validatePipeline(parsePipelineYaml(text, 'fuzz.yaml'), container, join(ROOT, 'examples', 'fuzz.yaml')));
        expect(r, r instanceof Error ? r.stack : '').not.toBeInstanceOf(Error);
      }),
    );
  });

  it('arbitrary JSON values as a pipeline give an omniprune error', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (raw) => {
        const r = outcome(() => validatePipeline(raw, container, 'fuzz.yaml'));
        expect(r, r instanceof Error ? r.stack : '').not.toBeInstanceOf(Error);
      }),
    );
  });
});
