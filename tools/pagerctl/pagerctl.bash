# bash completion for pagerctl (installed by `make install` into
# $(PREFIX)/share/bash-completion/completions/pagerctl).
_pagerctl() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  }
  local commands="info verify dump replay checkpoint recover copy snapshot cold"
  local cmd=${words[1]} opts
  if [[ $cword -eq 1 ]]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  case $cmd in
    info|verify) opts="--json --help" ;;
    dump) opts="--page --frame --frames --from --count --json --help" ;;
    replay) opts="--from --follow --poll-ms --json --help" ;;
    checkpoint) opts="--mode --wait --json --help" ;;
    recover) opts="--apply --json --help" ;;
    copy) opts="--wait --json --help" ;;
    snapshot)
      if [[ $cword -eq 2 ]]; then
        COMPREPLY=($(compgen -W "inspect verify diff --help" -- "$cur"))
        return
      fi
      opts="--json --help" ;;
    cold)
      if [[ $cword -eq 2 ]]; then
        COMPREPLY=($(compgen -W "reap --help" -- "$cur"))
        return
      fi
      opts="--remove --dry-run --json --help" ;;
  esac
  if [[ $prev == --mode ]]; then
    COMPREPLY=($(compgen -W "passive full truncate" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _pagerctl pagerctl
