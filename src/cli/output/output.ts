import { InvalidOptionError, PROGRESS_MODES, type RawOptions, stringValue } from '../../index.js';
import type { CliIO } from '../io.js';
import { LogFile, stripAnsi } from './log-file.js';
import { isoTime, timestamp } from './timestamp.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** How progress shows on stderr, once `auto` is resolved against the terminal. */
export type ProgressShow = 'bar' | 'lines' | 'json' | 'none';

/** The kinds of `--progress json` events: one JSON object per line on stderr. */
export type JsonEventType = 'step' | 'progress' | 'warning' | 'table' | 'message' | 'finished';

/**
 * Where a command's human output goes: one object per run, made from --progress, --log-file,
 * --quiet and --verbose. stdout keeps the --json document alone; everything else is on stderr (and,
 * with --log-file, appended to the log with timestamps).
 */
export interface Output {
  readonly command: string;
  readonly verbosity: Verbosity;
  readonly progress: ProgressShow;
  /** stderr itself, for drawing bars: their frames are not lines, so they are never logged. */
  readonly terminal: NodeJS.WriteStream;
  /**
   * The command's streams. Each whole line written to `io.stderr` is also appended to the log file;
   * with --progress json it becomes a `message` event, so stderr holds JSON lines only.
   */
  readonly io: CliIO;
  readonly log: LogFile | undefined;
  /** A JSON event on stderr (with --progress json only; a no-op otherwise). */
  event(type: JsonEventType, fields: Record<string, unknown>): void;
  /** A progress line: on stderr (timestamped) with --progress lines, and in the log file. */
  progressLine(text: string): void;
  /** A line of steps or warnings for people: stderr as it is (not with json), and the log. */
  line(text: string): void;
  close(): void;
}

/** `--progress MODE`: one of PROGRESS_MODES, or bad input naming them. */
export function progressMode(raw: RawOptions): (typeof PROGRESS_MODES)[number] | undefined {
  if (raw.progress === undefined) return undefined;
  const value = stringValue(raw.progress)?.toLowerCase();
  const mode = PROGRESS_MODES.find((m) => m === value);
  if (!mode) {
    throw new InvalidOptionError(
      `--progress must be one of ${PROGRESS_MODES.join(', ')}, not '${String(raw.progress)}'.`,
      {
        hint: 'Use --progress lines for CI logs, --progress json for a wrapper that parses stderr, --progress none to show no progress.',
      },
    );
  }
  return mode;
}

export function verbosityOf(raw: RawOptions): Verbosity {
  return raw.quiet ? 'quiet' : raw.verbose ? 'verbose' : 'normal';
}

/**
 * Reads --progress and --log-file (bad values are bad input, before anything is touched) and sets up
 * the command's output. `auto` is a bar on a terminal and lines otherwise; --quiet makes it `none`
 * unless --progress is given.
 */
export function openOutput(raw: RawOptions, io: CliIO, command: string): Output {
  const mode = progressMode(raw);
  const verbosity = verbosityOf(raw);
  const terminal = io.stderr;
  const tty = terminal.isTTY === true;
  const progress: ProgressShow =
    mode === undefined || mode === 'auto'
      ? verbosity === 'quiet'
        ? 'none'
        : tty
          ? 'bar'
          : 'lines'
      : mode === 'bar' && !tty
        ? 'lines'
        : mode;
  const logPath = stringValue(raw.logFile);
  if (raw.logFile !== undefined && !logPath) {
    throw new InvalidOptionError('--log-file needs a file name.', {
      hint: 'For example --log-file ./ddbcopy.log (lines are appended).',
    });
  }
  const log = logPath ? LogFile.open(logPath) : undefined;
  const event = (type: JsonEventType, fields: Record<string, unknown>): void => {
    if (progress !== 'json') return;
    terminal.write(`${JSON.stringify({ ts: isoTime(), command, type, ...fields })}\n`);
  };
  const json = progress === 'json';
  const stderr = linesOf(terminal, !json, (line) => {
    log?.line(line);
    if (json && stripAnsi(line).trim() !== '') event('message', { text: stripAnsi(line) });
  });
  log?.line(`ddbcopy ${command} started`);
  return {
    command,
    verbosity,
    progress,
    terminal,
    io: { ...io, stderr },
    log,
    event,
    progressLine(text) {
      if (progress === 'lines') terminal.write(`${timestamp()} ${text}\n`);
      log?.line(text);
    },
    line(text) {
      if (!json) terminal.write(`${text}\n`);
      log?.line(text);
    },
    close() {
      log?.close();
    },
  };
}

/**
 * stderr as the commands write it: every whole line is handed to `onLine`; the text reaches the
 * terminal too unless `passThrough` is false (--progress json: the lines become events instead).
 */
function linesOf(
  target: NodeJS.WriteStream,
  passThrough: boolean,
  onLine: (line: string) => void,
): NodeJS.WriteStream {
  let pending = '';
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
    if (passThrough) {
      return (target.write as (...args: unknown[]) => boolean)(chunk, encoding, callback);
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  return new Proxy(target, {
    get(object, property) {
      if (property === 'write') return write;
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
