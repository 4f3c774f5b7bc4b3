/**
 * Numbers a run's steps `[n/total]` with the total known before the first step: the run lists its
 * stages up front (from its options), and every step of a stage carries that stage's number. A stage
 * may hold several steps (replacing a target: delete, create, settings), so a step that turns out not
 * to be needed (no table to delete) skips no number.
 */
export interface StepNumber {
  number: number;
  total: number;
}

export function stepNumbering<Name extends string>(
  stages: readonly (Name | readonly Name[])[],
): (name: Name) => StepNumber {
  const numbers = new Map<Name, number>();
  stages.forEach((stage, index) => {
    for (const name of typeof stage === 'string' ? [stage] : stage) numbers.set(name as Name, index + 1);
  });
  const total = stages.length;
  return (name) => {
    const number = numbers.get(name);
    // A step outside the list is a bug in the run's list; it is numbered after the others, never hidden.
    return { number: number ?? total, total };
  };
}
