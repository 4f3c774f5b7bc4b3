/** The command line the user ran, with --resume instead of --restart. */
export function resumeCommand(argv: readonly string[]): string {
  const args = argv.filter((arg) => arg !== '--restart' && arg !== '--resume');
  const quoted = args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`));
  return `ddbcopy ${[...quoted, '--resume'].join(' ')}`;
}
