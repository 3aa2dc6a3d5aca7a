# shellcheck shell=bash
# rgsd load-secrets.sh: exports the project secrets into the shell that sources it.
#
# Sourced, never run, by zsh and bash: the image-managed ~/.zshrc and ~/.bashrc (interactive
# shells: tmux windows, `kubectl exec -it … zsh -l`) and the agent window's command before it
# starts the agent. The tmux server never holds the secrets; each shell reads them here from
# ~/.config/rgsd/secrets.env (init-home writes it on every boot: `export KEY='value'` lines,
# 0600 in a 0700 directory). Values pass through no command line and no other environment.
#
# A secret the kernel could not hand to a program is not exported (the variable is left
# unset) and a warning on stderr says where its value is, so no value can stop commands
# from starting ("Argument list too long"):
#  - one variable: "KEY=value" takes more than 131072 bytes with its NUL (MAX_ARG_STRLEN);
#  - all of them: the secrets together would take more than half of what execve accepts
#    for arguments and environment (a quarter of the stack limit), at most 1 MiB, taken in
#    file order (a key that does not fit is skipped; a smaller one after it may still fit).
# A shell loads them once (the agent's shell has already run ~/.zshrc). The entrypoint
# sources this file in a subshell at boot to put the same warnings in the container log.

rgsd_load_secrets() {
  if [ -n "${ZSH_VERSION-}" ]; then emulate -L zsh; fi
  local file="${RGSD_HOME:-$HOME}/.config/rgsd/secrets.env"
  [ -r "$file" ] || return 0
  local line name seen=' ' stack
  local -a lines keys
  # The file's lines, read at once (zsh's `read` takes one system call per byte).
  if [ -n "${ZSH_VERSION-}" ]; then
    eval 'lines=("${(@f)"$(<"$file")"}")'
  else
    mapfile -t lines <"$file"
  fi
  # Names, in file order. A multi-line value may hold a line that looks like an export: that
  # name is only measured like the others.
  for line in "${lines[@]}"; do
    case $line in
      'export '[A-Z_]*=*)
        name=${line#export }
        name=${name%%=*}
        case $name in *[!A-Z0-9_]*) continue ;; esac
        case $seen in *" $name "*) continue ;; esac
        seen="$seen$name "
        keys+=("$name")
        ;;
    esac
  done
  # `|| :` keeps a caller's set -e from ending the shell on a bad line: the rest still loads.
  # shellcheck disable=SC1090 # the secrets file is written at boot
  . "$file" || :
  # execve takes max(a quarter of the stack limit, 128 KiB) of arguments and environment.
  local argmax=2097152 budget
  stack=$(ulimit -s 2>/dev/null) || stack=''
  case $stack in '' | *[!0-9]*) ;; *) argmax=$((stack * 256)) ;; esac
  [ "$argmax" -ge 131072 ] || argmax=131072
  budget=$((argmax / 2))
  [ "$budget" -le 1048576 ] || budget=1048576
  _rgsd_check_secret_sizes "$file" "$budget" "${keys[@]}"
  return 0
}

# _rgsd_check_secret_sizes FILE BUDGET NAME…: unsets the secrets that cannot be exported.
_rgsd_check_secret_sizes() {
  if [ -n "${ZSH_VERSION-}" ]; then emulate -L zsh; fi
  local LC_ALL=C # ${#…} counts bytes
  local file=$1 budget=$2 name isset len size total=0
  shift 2
  for name in "$@"; do
    eval "isset=\${$name+x} len=\${#$name}"
    [ -n "$isset" ] || continue
    size=$((${#name} + len + 2)) # NAME=value and its NUL
    if [ "$size" -gt 131072 ]; then
      unset "$name"
      printf 'rgsd: warning: secret %s is not exported: %s bytes is over the 131072 bytes one environment variable can hold. Its value is in %s\n' \
        "$name" "$size" "$file" >&2
    elif [ $((total + size)) -gt "$budget" ]; then
      unset "$name"
      printf 'rgsd: warning: secret %s is not exported: with it the exported secrets would pass %s bytes, half of what a command can be given. Its value is in %s\n' \
        "$name" "$budget" "$file" >&2
    else
      total=$((total + size))
    fi
  done
  return 0
}

if [ -z "${_rgsd_secrets_loaded-}" ]; then
  _rgsd_secrets_loaded=1
  rgsd_load_secrets
fi
