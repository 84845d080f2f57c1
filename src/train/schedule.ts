// Learning-rate schedules. The rate is a graph input, so any schedule runs on the same graph.
export type ScheduleName = 'constant' | 'step' | 'cosine' | 'onecycle';
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'step', 'cosine', 'onecycle'];

/**
 * The learning rate for update `step` (1-based) of `total`:
 *  - constant: base
 *  - step: base, then x0.1 after 50% and again after 75% of the steps
 *  - cosine: base * (1 + cos(pi * progress)) / 2, down to 0 at the end
 *  - onecycle: linear warm-up from base/25 to base over the first 30%, then cosine down to base/1e4
 *    (the shape of PyTorch's OneCycleLR with its defaults)
 */
export function learningRate(schedule: ScheduleName, base: number, step: number, total: number): number {
  const progress = Math.min(Math.max((step - 1) / Math.max(total - 1, 1), 0), 1);
  switch (schedule) {
    case 'constant':
      return base;
    case 'step':
      return base * (progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01);
    case 'cosine':
      return (base * (1 + Math.cos(Math.PI * progress))) / 2;
    case 'onecycle': {
      const warm = 0.3;
      if (progress < warm) return base / 25 + (base - base / 25) * (progress / warm);
      const t = (progress - warm) / (1 - warm);
      const floor = base / 1e4;
      return floor + ((base - floor) * (1 + Math.cos(Math.PI * t))) / 2;
    }
  }
}

export function parseSchedule(name: string): ScheduleName {
  if (!(SCHEDULES as readonly string[]).includes(name))
    throw new Error(`unknown learning-rate schedule '${name}' (known: ${SCHEDULES.join(', ')})`);
  return name as ScheduleName;
}
