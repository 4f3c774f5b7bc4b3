import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { InvalidOptionError } from '../../errors.js';
import { type PlanFile, validatePlanFile } from '../../plan/plan-file.js';

/**
 * Reads `--plan FILE`: JSON when it ends in .json, YAML otherwise (YAML is a superset of JSON, so a
 * JSON file under another name reads too). Its content is checked by plan/plan-file.ts.
 */
export async function readPlanFile(file: string): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidOptionError(`Cannot read the plan file ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Check the path given to --plan.',
    });
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    const what = file.endsWith('.json') ? 'JSON' : 'YAML';
    throw new InvalidOptionError(
      `The plan file ${file} is not valid ${what}: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
        hint: 'Fix the syntax at the position given; the README has an example plan file.',
      },
    );
  }
  return validatePlanFile(value, file);
}
