/**
 * Shell completion for bash, zsh and fish, generated from the command tree itself (so every
 * command, subcommand and flag is there and no other): subcommands, flags, the choices of `-o`
 * and `--dry-run`, components for `-c`, components and sub-components for `-d`, experiments for
 * `-e` (asked of `panda-k8s experiments` when completing, so `--experiment-dir` ones show too),
 * directories for directory options and files for the rest.
 */
import type { Command, Option } from 'commander';

export interface CompletionData {
  /** Command path (`""`, `install`, `secrets install`) → its subcommands and flags. */
  nodes: { path: string; subcommands: string[]; flags: FlagInfo[] }[];
  components: readonly string[];
  /** `component.sub` for every sub-component. */
  parts: readonly string[];
}

export interface FlagInfo {
  names: string[];
  description: string;
  /** What its value completes to; none for a switch. */
  value?: { choices: readonly string[] } | 'components' | 'parts' | 'experiments' | 'dir' | 'file' | 'any';
}

const DIR_OPTIONS = new Set(['from', 'experimentDir', 'sandboxDir', 'secretsDir']);
const FILE_OPTIONS = new Set(['kubeconfig', 'values', 'secretsValues']);

function valueOf(o: Option): FlagInfo['value'] {
  if (!o.required && !o.optional) return undefined;
  const a = o.attributeName();
  if (o.argChoices?.length) return { choices: o.argChoices };
  if (a === 'enable') return 'components';
  if (a === 'disable') return 'parts';
  if (a === 'experiment') return 'experiments';
  if (DIR_OPTIONS.has(a)) return 'dir';
  if (FILE_OPTIONS.has(a)) return 'file';
  return 'any';
}

export function completionData(program: Command, components: readonly string[], parts: readonly string[]): CompletionData {
  const nodes: CompletionData['nodes'] = [];
  const walk = (c: Command, path: string) => {
    const flags: FlagInfo[] = c.options.filter((o) => !o.hidden).map((o) => ({ names: [o.short, o.long].filter((x): x is string => !!x), description: o.description, ...(valueOf(o) ? { value: valueOf(o)! } : {}) }));
    flags.push({ names: ['-h', '--help'], description: 'display help' });
    nodes.push({ path, subcommands: c.commands.map((s) => s.name()), flags });
    for (const s of c.commands) walk(s, path ? `${path} ${s.name()}` : s.name());
  };
  walk(program, '');
  return { nodes, components, parts };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command path of the words typed so far: the words that name a subcommand of the path before them. */
function bashPathFunction(d: CompletionData): string {
  const cases = d.nodes.filter((n) => n.subcommands.length).map((n) => `      ${q(n.path)}) subs=${q(n.subcommands.join(' '))} ;;`);
  return `_panda_k8s_path() {
  local path="" w subs i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    subs=""
    case "$path" in
${cases.join('\n')}
    esac
    if [[ " $subs " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  printf '%s' "$path"
}`;
}

function bashValue(v: FlagInfo['value'], d: CompletionData): string {
  if (!v) return '';
  if (typeof v === 'object') return `COMPREPLY=($(compgen -W ${q(v.choices.join(' '))} -- "$cur"))`;
  switch (v) {
    case 'components':
      return `_panda_k8s_list ${q(d.components.join(' '))}`;
    case 'parts':
      return `_panda_k8s_list ${q([...d.components, ...d.parts].join(' '))}`;
    case 'experiments':
      return `COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" experiments 2>/dev/null)" -- "$cur"))`;
    case 'dir':
      return 'COMPREPLY=($(compgen -d -- "$cur"))';
    case 'any':
      return 'COMPREPLY=()';
    default:
      return 'COMPREPLY=($(compgen -f -- "$cur"))';
  }
}

export function bashCompletion(d: CompletionData): string {
  const valueCases: string[] = [];
  const flagCases: string[] = [];
  for (const n of d.nodes) {
    for (const f of n.flags) if (f.value) valueCases.push(`    ${f.names.map((x) => q(`${n.path}:${x}`)).join('|')}) ${bashValue(f.value, d)}; return ;;`);
    flagCases.push(`    ${q(n.path)}) words=${q([...n.subcommands, ...n.flags.flatMap((f) => f.names)].join(' '))} ;;`);
  }
  return `# bash completion for panda-k8s: source <(panda-k8s completion bash)
_panda_k8s_list() {
  # comma-separated lists: complete the item after the last comma
  local prefix="" item="$cur"
  if [[ "$cur" == *,* ]]; then prefix="\${cur%,*},"; item="\${cur##*,}"; fi
  local c
  COMPREPLY=()
  for c in $(compgen -W "$1" -- "$item"); do COMPREPLY+=("$prefix$c"); done
  compopt -o nospace 2>/dev/null || true
}
${bashPathFunction(d)}
_panda_k8s() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path words
  path="$(_panda_k8s_path)"
  case "$path:$prev" in
${valueCases.join('\n')}
  esac
  case "$path" in
${flagCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _panda_k8s panda-k8s
`;
}

/** zsh runs the bash completion through its bashcompinit layer. */
export function zshCompletion(d: CompletionData): string {
  return `#compdef panda-k8s
# zsh completion for panda-k8s: source <(panda-k8s completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(d).split('\n').slice(1).join('\n')}`;
}

export function fishCompletion(d: CompletionData): string {
  const pairs = d.nodes.flatMap((n) => n.subcommands.map((s) => `${n.path}:${s}`));
  const lines = [
    '# fish completion for panda-k8s: panda-k8s completion fish | source',
    'function __panda_k8s_path',
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    '    set -l path ""',
    `    set -l pairs ${pairs.map(q).join(' ')}`,
    '    for w in $words',
    "        if string match -q -- '-*' $w; continue; end",
    '        if contains -- "$path:$w" $pairs',
    '            set path (string trim -- "$path $w")',
    '        end',
    '    end',
    '    echo $path',
    'end',
    'complete -c panda-k8s -f',
  ];
  for (const n of d.nodes) {
    const cond = `-n ${q(`test "(__panda_k8s_path)" = ${JSON.stringify(n.path)}`)}`;
    for (const s of n.subcommands) lines.push(`complete -c panda-k8s ${cond} -a ${q(s)}`);
    for (const f of n.flags) {
      const names = f.names.map((x) => (x.startsWith('--') ? `-l ${x.slice(2)}` : `-s ${x.slice(1)}`)).join(' ');
      let value = '';
      if (f.value) {
        const v = f.value;
        if (typeof v === 'object') value = ` -r -a ${q(v.choices.join(' '))}`;
        else if (v === 'components') value = ` -r -a ${q(d.components.join(' '))}`;
        else if (v === 'parts') value = ` -r -a ${q([...d.components, ...d.parts].join(' '))}`;
        else if (v === 'experiments') value = ` -r -a '(panda-k8s experiments 2>/dev/null)'`;
        else if (v === 'dir') value = ` -r -a '(__fish_complete_directories)'`;
        else value = ' -r -F';
      }
      lines.push(`complete -c panda-k8s ${cond} ${names}${value} -d ${q(f.description.split('\n')[0]!.slice(0, 80))}`);
    }
  }
  return lines.join('\n') + '\n';
}
