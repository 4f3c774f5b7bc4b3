/**
 * Help that teaches and a shell that completes (issue "the first hour", items 7 and 15): an example
 * in every command's --help, typo hints that know every command's flags, and `ddbcopy completion
 * bash|zsh|fish` built from the registered commands, checked by the shells themselves.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COPY_OPTION_DECLARATIONS, TABLE_SET_DECLARATIONS } from '../../src/index.js';
import { runMain } from '../harness/run-main.js';

const run = runMain;

const COMMANDS = ['copy', 'verify', 'export', 'import', 'follow', 'iam-policy', 'demo', 'completion'];

/** The long and short flags a command's help lists in its Options section. */
function helpFlags(help: string): Set<string> {
  const options = help.slice(help.indexOf('Options:'), help.indexOf('Examples:'));
  return new Set(
    [...options.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)]
      .flatMap((m) => [m[1], m[2]!])
      .filter(Boolean) as string[],
  );
}

/** The example commands of a help text, continuation lines joined, as words (no quoting needed). */
function exampleCommands(help: string): string[][] {
  const examples = help.slice(help.indexOf('Examples:'));
  return examples
    .replace(/ \\\n\s+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && line !== 'Examples:')
    .map((line) => line.split(/\s+/));
}

const which = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

describe('help', () => {
  it.each(COMMANDS)('%s --help ends with examples that use only its flags', async (command) => {
    const result = await run([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\nExamples:\n');
    const flags = helpFlags(result.stdout);
    expect(flags.has('--help')).toBe(true);
    const examples = exampleCommands(result.stdout);
    const runs = examples.filter((words) => words.includes('ddbcopy'));
    expect(runs.length, result.stdout).toBeGreaterThan(0);
    for (const words of runs) {
      // Environment assignments may come first (AWS_ACCESS_KEY_ID=local ddbcopy ...).
      const at = words.indexOf('ddbcopy');
      expect(
        words.slice(0, at).every((word) => /^[A-Z_]+=/.test(word)),
        words.join(' '),
      ).toBe(true);
      expect(words[at + 1], words.join(' ')).toBe(command);
      for (const word of words.slice(at + 2).filter((w) => /^--?[a-z]/i.test(w))) {
        expect(flags.has(word.split('=')[0]!), `${word} in: ${words.join(' ')}`).toBe(true);
      }
    }
    // Broken lines stay pasteable: each ends with ' \' and continues indented.
    for (const line of result.stdout.slice(result.stdout.indexOf('Examples:')).split('\n')) {
      expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });

  it("the program's help points to each command's examples", async () => {
    const result = await run(['--help']);
    expect(result.stdout).toContain("Run 'ddbcopy COMMAND --help' for a command's flags and examples.");
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command} `);
  });
});

describe('typo hints know every flag', () => {
  it.each([
    [['copy', '--regoin', 'eu-west-1'], '--region'],
    [['copy', '--source-profil', 'prod'], '--source-profile'],
    [['verify', '--target-regoin', 'eu-west-1'], '--target-region'],
    [['copy', '--profil', 'prod'], '--profile'],
    [['copy', '--endpoint-ulr', 'http://localhost:8000'], '--endpoint-url'],
    [['follow', '--form', 'trim-horizon'], '--from'],
    [['copy', '--versoin'], '--version'],
  ])('%j suggests %s (exit 2)', async (args, flag) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`(Did you mean ${flag}?)`);
  });

  it('a flag before the command name: the line with the command first, not --version', async () => {
    const result = await run(['--region', 'eu-west-1', 'copy', '--source', 'my orders', '--target', 'b']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "error: --region goes after the command name: ddbcopy copy --region eu-west-1 --source 'my orders' --target b",
    );
    expect(result.stderr).not.toContain('--version');
    const alone = await run(['--profile', 'prod']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--profile goes after the command name, e.g. ddbcopy copy --profile ...');
    expect(alone.stderr).not.toContain('--version');
  });

  it('a flag of other commands names them, not --version', async () => {
    const result = await run(['demo', '--region', 'eu-west-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "'demo' takes no --region (a flag of copy, verify, export, import, follow, iam-policy)",
    );
    expect(result.stderr).not.toContain('--version');
  });
});

describe('ddbcopy completion', () => {
  const scripts = new Map<string, string>();
  const script = async (shell: string): Promise<string> => {
    if (!scripts.has(shell)) {
      const result = await run(['completion', shell]);
      expect(result.code, result.stderr).toBe(0);
      scripts.set(shell, result.stdout);
    }
    return scripts.get(shell)!;
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-completion-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const saved = async (shell: string): Promise<string> => {
    const file = path.join(dir, `ddbcopy.${shell}`);
    writeFileSync(file, await script(shell));
    return file;
  };

  it('refuses a shell it does not know (exit 2)', async () => {
    const result = await run(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Allowed choices are bash, zsh, fish.');
  });

  it('the bash script names every command and every copy flag, and is valid bash', async () => {
    const text = await script('bash');
    const offered = /^ {6}COMPREPLY=\(\$\(compgen -W '([^']*)'/m
      .exec(text.slice(text.indexOf('\n    copy)\n')))![1]!
      .split(' ');
    for (const command of COMMANDS) expect(text).toContain(command);
    for (const declaration of [...COPY_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS]) {
      expect(offered).toContain(`--${declaration.flag}`);
      if (declaration.short) expect(offered).toContain(`-${declaration.short}`);
    }
    execFileSync('bash', ['-n', await saved('bash')]);
  });

  /** What bash offers for the line (the cursor at its end), as `complete -F _ddbcopy` would. */
  async function bashOffers(line: string): Promise<string[]> {
    const words = line.split(' ');
    const program = [
      `source ${JSON.stringify(await saved('bash'))}`,
      `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      '_ddbcopy',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const out = execFileSync('bash', ['-c', program], { cwd: dir, encoding: 'utf8' });
    return out.split('\n').filter((word) => word !== '');
  }

  it('bash completes commands, flags per command, and the values of enum-like flags', async () => {
    expect(await bashOffers('ddbcopy ')).toEqual([
      'copy',
      'verify',
      'export',
      'import',
      'follow',
      'iam-policy',
      'demo',
      'completion',
      'help',
    ]);
    expect(await bashOffers('ddbcopy co')).toEqual(['copy', 'completion']);
    expect(await bashOffers('ddbcopy copy --source-pro')).toEqual(['--source-profile']);
    expect(await bashOffers('ddbcopy copy --billing-mode ')).toEqual(['on-demand', 'provisioned']);
    expect(await bashOffers('ddbcopy copy --billing-mode = p')).toEqual(['provisioned']);
    expect(await bashOffers('ddbcopy copy --on-transform-error ')).toEqual(['fail', 'skip']);
    expect(await bashOffers('ddbcopy export --progress ')).toEqual(['auto', 'bar', 'lines', 'json', 'none']);
    expect(await bashOffers('ddbcopy completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(await bashOffers('ddbcopy help i')).toEqual(['import', 'iam-policy']);
    // A free value (a table name) gets no flags offered in its place.
    expect(await bashOffers('ddbcopy copy --source ')).toEqual([]);
    // Flags of another command are not offered.
    expect(await bashOffers('ddbcopy demo --')).toEqual(['--items', '--json', '--help']);
    expect(await bashOffers('ddbcopy export --o')).toEqual(['--out', '--on-transform-error']);
    // A path value completes file names.
    writeFileSync(path.join(dir, 'masks.json'), '{}');
    expect(await bashOffers('ddbcopy copy --mask-file mas')).toEqual(['masks.json']);
  });

  it.skipIf(!which('zsh'))('the zsh script is valid zsh', async () => {
    const text = await script('zsh');
    expect(text.startsWith('#compdef ddbcopy\n')).toBe(true);
    expect(text).toContain("'--billing-mode=[");
    expect(text).toContain(':(on-demand provisioned)');
    execFileSync('zsh', ['-n', await saved('zsh')]);
  });

  it.skipIf(!which('fish'))('the fish script is valid fish and completes', async () => {
    const file = await saved('fish');
    execFileSync('fish', ['--no-execute', file]);
    const offers = (line: string): string[] =>
      execFileSync('fish', ['-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' })
        .split('\n')
        .filter((entry) => entry !== '')
        .map((entry) => entry.split('\t')[0]!);
    expect(offers('ddbcopy copy --billing-mode ')).toEqual(['on-demand', 'provisioned']);
    expect(offers('ddbcopy completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(offers('ddbcopy copy --source-pro')).toEqual(['--source-profile']);
  });
});
