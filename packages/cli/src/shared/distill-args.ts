import { OmnipruneError, readModel } from '@omniprune/core';
import { distillSchema, type DistillOptions } from '@omniprune/core/train';
import type { LoadedModel } from '@omniprune/plugin-api';

/** The `--distill` flags of `train`: a teacher model and the distillation loss's settings. */
export const distillArgs = {
  distill: {
    type: 'string',
    description: 'Distil from this teacher model (model.json or folder, .h5/.keras, .onnx), e.g. the unpruned base: loss alpha*T^2*KL + (1-alpha)*CE',
  },
  alpha: { type: 'string', description: 'Weight of the teacher term in [0,1] (default: 0.9; with --distill)' },
  temperature: { type: 'string', description: 'Distillation temperature T > 0 (default: 4; with --distill)' },
  'teacher-input': {
    type: 'string',
    description: "augmented (default): the teacher sees the student's augmented batch; clean: its logits of the un-augmented images, computed once",
  },
} as const;

interface DistillFlags {
  distill?: string;
  alpha?: string;
  temperature?: string;
  'teacher-input'?: string;
}

type Normalization = { mean: readonly number[]; std: readonly number[] } | null | undefined;

function sameNormalization(a: Normalization, b: Normalization): boolean {
  if (!a || !b) return !a && !b;
  // subsets and hold-outs move the statistics by ~1e-4: the same data set; a different one differs by far more
  const close = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= 1e-3 * Math.max(1, Math.abs(y[i])));
  return close(a.mean, b.mean) && close(a.std, b.std);
}

/**
 * The distillation settings and teacher model the flags ask for, or undefined without `--distill`. The teacher must
 * read its inputs as the student does (same normalisation), since both see the same batch.
 * @example
 * const kd = await distillFromFlags(args, studentNormalization, container); // { options, teacher } | undefined
 */
export async function distillFromFlags(
  flags: DistillFlags,
  studentNormalization: Normalization,
  container: Parameters<typeof readModel>[1],
): Promise<{ options: DistillOptions; teacher: LoadedModel } | undefined> {
  if (!flags.distill) {
    if (flags.alpha !== undefined || flags.temperature !== undefined || flags['teacher-input'] !== undefined) {
      throw new OmnipruneError('E_BAD_INPUT', '--alpha, --temperature and --teacher-input only apply with --distill TEACHER', {
        hint: 'add --distill path/to/teacher',
      });
    }
    return undefined;
  }
  const parsed = distillSchema.safeParse({
    ...(flags.alpha !== undefined ? { alpha: Number(flags.alpha) } : {}),
    ...(flags.temperature !== undefined ? { temperature: Number(flags.temperature) } : {}),
    ...(flags['teacher-input'] !== undefined ? { teacherInput: flags['teacher-input'] } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue.path[0] === 'teacherInput' ? 'teacher-input' : String(issue.path[0]);
    throw new OmnipruneError('E_BAD_INPUT', `--${flag}: ${issue.message}`, { hint: 'e.g. --alpha 0.9 --temperature 4 --teacher-input clean' });
  }
  const teacher = await readModel(flags.distill, container);
  if (!sameNormalization(teacher.metadata.normalization, studentNormalization)) {
    teacher.model.dispose();
    throw new OmnipruneError('E_BAD_INPUT', `the teacher ${flags.distill} normalises its inputs differently from the trained model`, {
      hint: "distil from a model trained on the same data with the same normalisation (e.g. the pruned model's base)",
    });
  }
  return { options: parsed.data, teacher };
}
