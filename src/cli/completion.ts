/**
 * @module `deckhand completion bash|zsh|fish`: shell completion scripts generated from the command tree,
 * so they never drift from the commands and options `--help` lists.
 */
import type { Command } from 'commander';

/** The shells a completion script is written for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

interface CommandSpec {
  /** Words from the root, e.g. `['approvals', 'approve']`; empty for `deckhand` itself. */
  readonly path: readonly string[];
  readonly description: string;
  readonly options: ReadonlyArray<{ readonly flags: readonly string[]; readonly description: string }>;
  readonly subcommands: readonly CommandSpec[];
}

function specOf(command: Command, path: readonly string[]): CommandSpec {
  const options = command.options.map((option) => ({
    flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
    description: option.description,
  }));
  options.push({ flags: ['-h', '--help'], description: 'display help' });
  return {
    path,
    description: command.description(),
    options,
    subcommands: command.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden).map((sub) => specOf(sub, [...path, sub.name()])),
  };
}

function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}

/** Single-quoted for a POSIX shell. */
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function words(spec: CommandSpec): string {
  return [...spec.subcommands.map((sub) => sub.path.at(-1)!), ...spec.options.flatMap((option) => option.flags)].join(' ');
}

/** Deepest command paths first, so `approvals approve …` matches before `approvals …`. */
function byDepth(specs: CommandSpec[]): CommandSpec[] {
  return [...specs].sort((left, right) => right.path.length - left.path.length);
}

function bash(root: CommandSpec): string {
  const cases = byDepth(flatten(root))
    .map((spec) => {
      const path = spec.path.join(' ');
      const pattern = path === '' ? '*' : `${quote(path)}|${quote(path)}\\ *`;
      return `    ${pattern}) words=${quote(words(spec))} ;;`;
    })
    .join('\n');
  return `# deckhand completion for bash: source <(deckhand completion bash)
_deckhand() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _deckhand deckhand
`;
}

function zsh(root: CommandSpec): string {
  const cases = byDepth(flatten(root))
    .map((spec) => {
      const path = spec.path.join(' ');
      const pattern = path === '' ? '*' : `${quote(path)}|${quote(path)}\\ *`;
      return `    ${pattern}) candidates=(${words(spec)}) ;;`;
    })
    .join('\n');
  return `#compdef deckhand
# deckhand completion for zsh: source <(deckhand completion zsh), or save it as _deckhand in your fpath
_deckhand() {
  local path="" i
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    [[ "\${words[i]}" == -* ]] || path="\${path:+$path }\${words[i]}"
  done
  case "$path" in
${cases}
  esac
  compadd -- $candidates
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _deckhand "$@"
else
  compdef _deckhand deckhand
fi
`;
}

function fish(root: CommandSpec): string {
  const lines = ['# deckhand completion for fish: deckhand completion fish | source', 'complete -c deckhand -f'];
  for (const spec of flatten(root)) {
    const names = spec.subcommands.map((sub) => sub.path.at(-1)!);
    // At this command: its own path seen (or none, for the root) and none of its subcommands yet.
    const here =
      spec.path.length === 0
        ? names.length > 0
          ? `not __fish_seen_subcommand_from ${names.join(' ')}`
          : 'true'
        : `__fish_seen_subcommand_from ${spec.path.at(-1)!}${names.length > 0 ? `; and not __fish_seen_subcommand_from ${names.join(' ')}` : ''}`;
    for (const sub of spec.subcommands) {
      lines.push(`complete -c deckhand -n ${quote(here)} -a ${sub.path.at(-1)!} -d ${quote(sub.description)}`);
    }
    for (const option of spec.options) {
      const flags = option.flags.map((flag) => (flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`)).join(' ');
      lines.push(`complete -c deckhand -n ${quote(here)} ${flags} -d ${quote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, covering every command, subcommand and option of `program`. */
export function completionScript(program: Command, shell: CompletionShell): string {
  const root = specOf(program, []);
  if (shell === 'bash') return bash(root);
  if (shell === 'zsh') return zsh(root);
  return fish(root);
}
