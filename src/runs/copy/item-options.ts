import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import type { AttributeValue } from '../../model/item.js';
import { type MaskRule, parseMaskRule } from '../../plan/mask-rules.js';
import type { ScanFilter } from '../../stores/types.js';
import type { OptionDeclaration, RawOptions } from './options.js';

/**
 * What a run does to the items on their way (issue "without its personal data"): a filter applied by
 * the source's Scan, masks and a transform applied between the scan and the write.
 */
export interface ItemOptions {
  /** Only items matching it are copied (the Scan's FilterExpression). */
  readonly filter?: ScanFilter | undefined;
  /** `--mask PATH=RULE` rules, in order. */
  readonly masks?: readonly MaskRule[] | undefined;
  /** `--mask-file FILE` (its rules may be per table). */
  readonly maskFile?: string | undefined;
  /**
   * The mask file's text, read once when the options are validated: the run parses exactly this, and
   * a run record names its digest, so a resume with an edited mask file is refused.
   */
  readonly maskFileText?: string | undefined;
  /**
   * The masks' secret, from the environment variable `--mask-secret-env` names. A function, so that it
   * never lands in a JSON document, a log or a checkpoint (which keep only its fingerprint).
   */
  readonly maskSecret?: (() => string) | undefined;
  /** The variable it came from, for messages. */
  readonly maskSecretEnv?: string | undefined;
  /** `--transform MODULE`: an ES module exporting `transform(item, context)`. */
  readonly transform?: { readonly module: string; readonly onError: 'fail' | 'skip' } | undefined;
}

export const ITEM_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  {
    flag: 'filter-expression',
    value: 'EXPR',
    help: "copy only items matching this Scan FilterExpression (the AWS CLI's syntax)",
  },
  {
    flag: 'expression-attribute-names',
    value: 'JSON',
    help: 'placeholders for attribute names in the filter, e.g. \'{"#s":"status"}\'',
  },
  {
    flag: 'expression-attribute-values',
    value: 'JSON',
    help: 'placeholders for values in the filter, e.g. \'{":v":{"S":"active"}}\'',
  },
  {
    flag: 'mask',
    value: 'PATH=RULE',
    help: 'mask an attribute on the way: hash, redact, remove, null, keep or fake:KIND (repeatable)',
    repeatable: true,
  },
  { flag: 'mask-file', value: 'FILE', help: 'masks from a JSON file (rules for every table and per table)' },
  {
    flag: 'mask-secret-env',
    value: 'VAR',
    help: "the environment variable holding the masks' secret (never given as a flag value)",
  },
  {
    flag: 'transform',
    value: 'MODULE',
    help: 'an ES module exporting transform(item, context): the item to write, or null to drop it',
  },
  {
    flag: 'on-transform-error',
    value: 'fail|skip',
    choices: ['fail', 'skip'],
    help: 'when the transform throws: stop (exit 1) or leave the item out and list it in the rejects file',
    defaultHelp: 'fail',
  },
];

/** Reads and checks the filter, mask and transform flags; refuses what cannot work before any request. */
export function validateItemOptions(
  raw: RawOptions,
  env: NodeJS.ProcessEnv = process.env,
  purpose: 'run' | 'policy' = 'run',
): ItemOptions {
  const filter = parseFilter(raw);
  const masks = listOf(raw.mask).map((text) => parseMaskRule(text));
  const maskFile = text(raw.maskFile);
  const maskFileText = maskFile && purpose === 'run' ? readMaskFile(maskFile) : undefined;
  const variable = text(raw.maskSecretEnv);
  let maskSecret: (() => string) | undefined;
  if (variable !== undefined && purpose === 'run') {
    const secret = env[variable];
    if (!secret) {
      throw new InvalidOptionError(
        `--mask-secret-env ${variable}: that environment variable is not set or empty.`,
        {
          hint: `Set it first (e.g. export ${variable}="$(openssl rand -base64 32)") and keep it: the same secret gives the same masked values.`,
        },
      );
    }
    if (secret.length < 16) {
      throw new InvalidOptionError(`The mask secret in ${variable} is shorter than 16 characters.`, {
        hint: 'A short secret can be guessed, and with it the masked values re-derived. Use 32 random bytes or more.',
      });
    }
    maskSecret = () => secret;
  } else if ((masks.length > 0 || maskFile) && purpose === 'run') {
    throw new InvalidOptionError(
      'Masks need a secret: --mask-secret-env VAR names the environment variable that holds it.',
      {
        hint: 'The secret keys the hashes and fakes, so the same value masks the same way in every table and run; it is never taken as a flag value, so it stays out of shell history.',
      },
    );
  }
  const transformModule = text(raw.transform);
  const onError = text(raw.onTransformError);
  if (onError !== undefined && onError !== 'fail' && onError !== 'skip') {
    throw new InvalidOptionError(`--on-transform-error must be 'fail' or 'skip', not '${onError}'.`);
  }
  if (onError !== undefined && !transformModule) {
    throw new InvalidOptionError('--on-transform-error applies to --transform.', {
      hint: 'Add --transform MODULE, or drop it.',
    });
  }
  return {
    ...(filter ? { filter } : {}),
    ...(masks.length ? { masks } : {}),
    ...(maskFile ? { maskFile: path.resolve(maskFile) } : {}),
    ...(maskFileText !== undefined ? { maskFileText } : {}),
    ...(maskSecret ? { maskSecret, maskSecretEnv: variable } : {}),
    ...(transformModule
      ? {
          transform: { module: path.resolve(transformModule), onError: onError === 'skip' ? 'skip' : 'fail' },
        }
      : {}),
  };
}

/** True when the options change items between scan and write (the copy then never sends text as read). */
export function changesItems(options: ItemOptions): boolean {
  return (
    (options.masks?.length ?? 0) > 0 || options.maskFile !== undefined || options.transform !== undefined
  );
}

function readMaskFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidOptionError(`Cannot read the mask file ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Check the path given to --mask-file; the README has an example.',
    });
  }
}

function parseFilter(raw: RawOptions): ScanFilter | undefined {
  const expression = text(raw.filterExpression);
  const names = jsonFlag(raw.expressionAttributeNames, 'expression-attribute-names');
  const values = jsonFlag(raw.expressionAttributeValues, 'expression-attribute-values');
  if (!expression) {
    if (names || values) {
      throw new InvalidOptionError(
        '--expression-attribute-names/-values are placeholders of --filter-expression.',
        {
          hint: 'Add --filter-expression, or drop them.',
        },
      );
    }
    return undefined;
  }
  if (names && !Object.values(names).every((name) => typeof name === 'string')) {
    throw new InvalidOptionError(
      '--expression-attribute-names must map placeholders to names, e.g. \'{"#s":"status"}\'.',
    );
  }
  if (values) {
    for (const [placeholder, value] of Object.entries(values)) {
      if (
        !placeholder.startsWith(':') ||
        typeof value !== 'object' ||
        value === null ||
        Object.keys(value).length !== 1
      ) {
        throw new InvalidOptionError(
          `--expression-attribute-values: '${placeholder}' must be ':name' mapped to one typed value, e.g. {":v":{"S":"active"}}.`,
          { hint: 'The AWS CLI\'s format: numbers as strings ({"N":"42"}), so nothing is rounded.' },
        );
      }
    }
  }
  for (const placeholder of expression.match(/[#:][A-Za-z0-9_]+/g) ?? []) {
    const declared = placeholder.startsWith('#') ? names?.[placeholder] : values?.[placeholder];
    if (declared === undefined) {
      throw new InvalidOptionError(`--filter-expression uses ${placeholder}, which is not declared.`, {
        hint: `Declare it in --expression-attribute-${placeholder.startsWith('#') ? 'names' : 'values'}.`,
      });
    }
  }
  return {
    expression,
    ...(names ? { names: names as Record<string, string> } : {}),
    ...(values ? { values: values as Record<string, AttributeValue> } : {}),
  };
}

function jsonFlag(value: RawOptions[string], flag: string): Record<string, unknown> | undefined {
  const source = text(value);
  if (source === undefined) return undefined;
  let parsed: unknown;
  try {
    // JSON.parse keeps number text only inside strings: the AWS CLI's format has numbers as strings.
    parsed = JSON.parse(source);
  } catch (error) {
    throw new InvalidOptionError(`--${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidOptionError(`--${flag} must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}

function text(value: RawOptions[string]): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function listOf(value: RawOptions[string]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? [...value] : [value as string];
}
