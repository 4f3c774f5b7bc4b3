import { type DdbCopyError, type ErrorReport, EXIT, failureExitCode, runFailure } from '../../errors.js';
import { inCallerWords } from './option-wording.js';

/** What a run (copy, export, import) resolves with: it never throws for a failure it can explain. */
export interface RunOutcome<Summary> {
  summary: Summary;
  /** 0, or the error's exit code; bad input found after the target changed counts as a failure (1). */
  exitCode: number;
  /** Set when the run failed or was interrupted; the summary's status says which. */
  error?: DdbCopyError;
}

/** The warnings a run collects for its summary, each also passed on to the renderer as it happens. */
export function collectWarnings(onWarning?: (message: string) => void): {
  warnings: string[];
  warn: (message: string) => void;
} {
  const warnings: string[] = [];
  return {
    warnings,
    warn: (message) => {
      warnings.push(message);
      onWarning?.(message);
    },
  };
}

/** The fields an export's and an import's `--json` summary end with. */
export interface ResumableRunReport {
  segments: number;
  /** The run record: where progress is saved, and whether this run resumed it. */
  checkpoint: { file: string | null; resumed: boolean };
  durationMs: number;
  itemsPerSecond: number;
  warnings: string[];
  error?: ErrorReport;
}

/**
 * The outcome of a run that stopped on `error`, the one way every run turns a failure into what it
 * reports: a typed error of ours as it is (and anything thrown after a cancel as an interrupt), with
 * the summary it left behind, status `interrupted` or `failed`, and its exit code, where bad input
 * noticed after the target changed counts as a failed run (1). Anything else is a bug: rethrown.
 * The error names options or flags as its caller gives them (see option-wording.ts).
 */
export function failedOutcome<Summary>(
  error: unknown,
  context: { signal: AbortSignal | undefined; targetChanged: boolean },
  summarize: (status: 'failed' | 'interrupted', error: DdbCopyError) => Summary,
): RunOutcome<Summary> & { error: DdbCopyError } {
  const typed = inCallerWords(runFailure(error, context.signal));
  if (!typed) throw error;
  return {
    summary: summarize(typed.exitCode === EXIT.interrupted ? 'interrupted' : 'failed', typed),
    error: typed,
    exitCode: failureExitCode(typed, context.targetChanged),
  };
}

/** A library entry point's answer: the summary, or the typed error (carrying the summary) thrown. */
export function summaryOrThrow<Summary>(outcome: Pick<RunOutcome<Summary>, 'summary' | 'error'>): Summary {
  if (outcome.error) throw Object.assign(outcome.error, { summary: outcome.summary });
  return outcome.summary;
}
