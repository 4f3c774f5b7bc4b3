import type { Command, Option } from 'commander';
import type { CliIO } from '../io.js';

/** The shells `ddbcopy completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** One flag as a completion script offers it. */
export interface CompletionFlag {
  /** Every spelling, long first: ['--yes', '-y']. */
  readonly names: readonly string[];
  readonly help: string;
  /** Absent for a switch; for a flag that takes a value, what to offer for it. */
  readonly value?: {
    /** Its placeholder, e.g. 'table' for --source <table>. */
    readonly name: string;
    /** The only values it takes (--billing-mode on-demand|provisioned). */
    readonly choices?: readonly string[];
    /** A local path (FILE, DIR, MODULE): the shell completes file names. */
    readonly path?: boolean;
  };
  readonly repeatable: boolean;
}

/** One command as a completion script offers it: its flags, and the words its argument takes. */
export interface CompletionCommand {
  readonly name: string;
  readonly help: string;
  readonly flags: readonly CompletionFlag[];
  readonly argument?: { readonly name: string; readonly choices: readonly string[] };
}

/** What commander does not hold about a flag; main.ts keeps it from the flag's declaration. */
export interface FlagExtras {
  readonly choices?: readonly string[] | undefined;
  readonly repeatable?: boolean | undefined;
}

/**
 * What the completion scripts know, read from the registered commands themselves, so a flag added to
 * a declaration list is completed without touching this file. `extrasOf` gives what commander does
 * not hold: the closed list of values a flag takes, and whether it may be repeated. Commander's
 * implicit `help` command and the help flag are added, as commander adds them.
 */
export function completionCommands(
  program: Command,
  extrasOf: (option: Option) => FlagExtras | undefined,
): CompletionCommand[] {
  const help: CompletionFlag = { names: ['--help', '-h'], help: 'display help', repeatable: false };
  const commands: CompletionCommand[] = program.commands.map((command) => {
    const argument = command.registeredArguments[0];
    return {
      name: command.name(),
      help: command.description(),
      flags: [...command.options.map((option) => completionFlag(option, extrasOf(option) ?? {})), help],
      ...(argument?.argChoices ? { argument: { name: argument.name(), choices: argument.argChoices } } : {}),
    };
  });
  const names = commands.map((command) => command.name);
  return [
    ...commands,
    {
      name: 'help',
      help: 'display help for a command',
      flags: [],
      argument: { name: 'command', choices: names },
    },
  ];
}

function completionFlag(option: Option, extras: FlagExtras): CompletionFlag {
  const names = [option.long, option.short].filter((name): name is string => name !== undefined);
  // The placeholder says what the value is: <table>, <file>, <dir|s3://bucket/prefix>, <module>.
  const placeholder = /[<[]([^>\]]*)[>\]]/.exec(option.flags)?.[1];
  const choices = extras.choices ?? option.argChoices;
  return {
    names,
    help: option.description,
    ...(placeholder !== undefined
      ? {
          value: {
            name: placeholder,
            ...(choices ? { choices } : {}),
            ...(/^(file|dir|module)\b/.test(placeholder) ? { path: true } : {}),
          },
        }
      : {}),
    repeatable: option.variadic || extras.repeatable === true,
  };
}

/**
 * `ddbcopy completion bash|zsh|fish`: prints the completion script for that shell on stdout (commander
 * has checked the shell's name). How to load it is in the script's first lines and in the help.
 */
export function completionCommand(
  shell: CompletionShell,
  commands: readonly CompletionCommand[],
  io: CliIO,
): number {
  io.stdout.write(completionScript(shell, commands));
  return 0;
}

/** The completion script for `shell`: pure text, so tests can check it and feed it to the shell. */
export function completionScript(shell: CompletionShell, commands: readonly CompletionCommand[]): string {
  switch (shell) {
    case 'bash':
      return bashScript(commands);
    case 'zsh':
      return zshScript(commands);
    case 'fish':
      return fishScript(commands);
  }
}

const ROOT_FLAGS = ['--help', '-h', '--version', '-V'];

/**
 * Bash: one function that finds the command (the first word not starting with '-'), then completes
 * its flags, the values of the flag before the cursor (a closed list, file names, or nothing for a
 * free value such as a table name), or the command's argument. `--flag=value` is handled as bash
 * splits it (at '=').
 */
function bashScript(commands: readonly CompletionCommand[]): string {
  const cases = commands.map((command) => {
    const flags = command.flags.flatMap((flag) => flag.names);
    const valueCases: string[] = [];
    const byAction = new Map<string, string[]>();
    for (const flag of command.flags) {
      if (!flag.value) continue;
      const action = flag.value.choices
        ? `COMPREPLY=($(compgen -W '${flag.value.choices.join(' ')}' -- "$cur"))`
        : flag.value.path
          ? 'compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur")'
          : 'COMPREPLY=()';
      byAction.set(action, [...(byAction.get(action) ?? []), ...flag.names]);
    }
    for (const [action, names] of byAction)
      valueCases.push(`        ${names.join('|')}) ${action}; return ;;`);
    const offerFlags = `COMPREPLY=($(compgen -W '${flags.join(' ')}' -- "$cur"))`;
    const offer = command.argument
      ? [
          '      if [[ $cur != -* && -z $argument ]]; then',
          `        COMPREPLY=($(compgen -W '${command.argument.choices.join(' ')}' -- "$cur"))`,
          '      else',
          `        ${offerFlags}`,
          '      fi',
        ]
      : [`      ${offerFlags}`];
    return [
      `    ${command.name})`,
      ...(valueCases.length > 0 ? ['      case $prev in', ...valueCases, '      esac'] : []),
      ...offer,
      '      ;;',
    ].join('\n');
  });
  return `# bash completion for ddbcopy (written by \`ddbcopy completion bash\`).
# Load it in this shell:   source <(ddbcopy completion bash)
# For every shell:         echo 'source <(ddbcopy completion bash)' >> ~/.bashrc
_ddbcopy() {
  local cur prev command="" argument="" i
  cur=\${COMP_WORDS[COMP_CWORD]}
  prev=""
  (( COMP_CWORD > 0 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --flag=value: bash splits at '=', so the flag is one word further back.
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" && COMP_CWORD -gt 1 ]]; then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  for (( i = 1; i < COMP_CWORD; i++ )); do
    case \${COMP_WORDS[i]} in
      -*|=) ;;
      *) if [[ -z $command ]]; then command=\${COMP_WORDS[i]}; else argument=\${COMP_WORDS[i]}; fi ;;
    esac
  done
  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '${ROOT_FLAGS.join(' ')}' -- "$cur"))
    else
      COMPREPLY=($(compgen -W '${commands.map((command) => command.name).join(' ')}' -- "$cur"))
    fi
    return
  fi
  case $command in
${cases.join('\n')}
  esac
}
complete -F _ddbcopy ddbcopy
`;
}

/**
 * Zsh: `_arguments` with the command's flags, each with its help, and what its value takes: a closed
 * list, files, or a free value named by its placeholder.
 */
function zshScript(commands: readonly CompletionCommand[]): string {
  const describe = commands.map((command) => `    ${zshQuote(`${command.name}:${command.help}`)}`);
  const cases = commands.map((command) => {
    const specs = command.flags.map((flag) => {
      const help = `[${zshBracket(flag.help)}]`;
      const value = flag.value
        ? `:${flag.value.name.replace(/:/g, '\\:')}:${
            flag.value.choices ? `(${flag.value.choices.join(' ')})` : flag.value.path ? '_files' : ' '
          }`
        : '';
      const repeat = flag.repeatable ? '*' : '';
      // 'name=' takes the value in the next word or after '=' (--billing-mode=provisioned).
      const spellings = flag.names.map((name) => (flag.value && name.startsWith('--') ? `${name}=` : name));
      if (spellings.length === 1) return `${zshQuote(`${repeat}${spellings[0]}${help}${value}`)}`;
      const exclusive = flag.repeatable ? '' : `(${flag.names.join(' ')})`;
      return `${zshQuote(`${exclusive}${repeat}`)}{${spellings.join(',')}}${zshQuote(`${help}${value}`)}`;
    });
    if (command.argument) {
      specs.push(zshQuote(`1:${command.argument.name}:(${command.argument.choices.join(' ')})`));
    }
    return [
      `        ${command.name})`,
      `          _arguments -s \\`,
      ...specs.map((spec) => `            ${spec} \\`),
      '          ;;',
    ].join('\n');
  });
  return `#compdef ddbcopy
# zsh completion for ddbcopy (written by \`ddbcopy completion zsh\`).
# Load it in this shell:   source <(ddbcopy completion zsh)     (after compinit)
# Or install it:           ddbcopy completion zsh > "\${fpath[1]}/_ddbcopy"
_ddbcopy() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C \\
    '(- *)'{-h,--help}'[display help]' \\
    '(- *)'{-V,--version}'[output the version number]' \\
    '1:command:->command' \\
    '*::argument:->argument'
  case $state in
    command)
      local -a commands
      commands=(
${describe.join('\n')}
      )
      _describe -t commands 'ddbcopy command' commands
      ;;
    argument)
      case $line[1] in
${cases.join('\n')}
      esac
      ;;
  esac
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _ddbcopy "$@"
else
  compdef _ddbcopy ddbcopy
fi
`;
}

/**
 * Fish: one `complete` line per command and per flag, each flag offered only after its command
 * (`__fish_seen_subcommand_from`); file names only where a flag takes a path.
 */
function fishScript(commands: readonly CompletionCommand[]): string {
  const lines = [
    '# fish completion for ddbcopy (written by `ddbcopy completion fish`).',
    '# Load it in this shell:   ddbcopy completion fish | source',
    '# Or install it:           ddbcopy completion fish > ~/.config/fish/completions/ddbcopy.fish',
    'complete -c ddbcopy -f',
    "complete -c ddbcopy -n __fish_use_subcommand -s h -l help -d 'display help'",
    "complete -c ddbcopy -n __fish_use_subcommand -s V -l version -d 'output the version number'",
  ];
  for (const command of commands) {
    lines.push(
      `complete -c ddbcopy -n __fish_use_subcommand -a ${command.name} -d ${fishQuote(command.help)}`,
    );
  }
  for (const command of commands) {
    const seen = `-n ${fishQuote(`__fish_seen_subcommand_from ${command.name}`)}`;
    for (const flag of command.flags) {
      const spellings = flag.names
        .map((name) => (name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`))
        .join(' ');
      const value = !flag.value
        ? ''
        : flag.value.choices
          ? ` -x -a ${fishQuote(flag.value.choices.join(' '))}`
          : flag.value.path
            ? ' -r -F'
            : ' -x';
      lines.push(`complete -c ddbcopy ${seen} ${spellings}${value} -d ${fishQuote(flag.help)}`);
    }
    if (command.argument) {
      lines.push(`complete -c ddbcopy ${seen} -a ${fishQuote(command.argument.choices.join(' '))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A zsh (or bash) single-quoted word. */
function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Text inside an `_arguments` [description]: brackets and colons would end it. */
function zshBracket(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\[/g, '(').replace(/\]/g, ')').replace(/:/g, '\\:');
}

/** A fish single-quoted word: only \\ and \' are escapes there. */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
