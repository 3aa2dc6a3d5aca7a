# shellcheck shell=bash
# Shared by the rgsd image scripts (/opt/rgsd/*): environment defaults and logging.
# Every path is overridable by environment, so the tests run the scripts outside a container.

: "${RGSD_HOME:=/home/gsd}"
: "${RGSD_SKEL:=/home/gsd.skel}"
# Where the Secret is mounted in the init container. The name avoids words that policy
# engines read as "a secret in an environment variable"; RGSD_SECRETS_DIR is the old name.
[ -n "${RGSD_INIT_SOURCE_DIR:-}" ] || RGSD_INIT_SOURCE_DIR=${RGSD_SECRETS_DIR:-/var/run/rgsd/secrets}
# The chart passes every variable, possibly empty: an empty value means "the default".
[ -n "${RGSD_WORKSPACE:-}" ] || RGSD_WORKSPACE="$RGSD_HOME/workspace"
[ -n "${RGSD_TMUX_SESSION:-}" ] || RGSD_TMUX_SESSION=main
[ -n "${RGSD_AGENT:-}" ] || RGSD_AGENT=gsd
[ -n "${RGSD_AGENT_AUTOSTART:-}" ] || RGSD_AGENT_AUTOSTART=false
: "${RGSD_AGENT_ARGS:=}"
: "${RGSD_REPO_URL:=}"
: "${RGSD_REPO_BRANCH:=}"
: "${RGSD_GIT_USER_NAME:=}"
: "${RGSD_GIT_USER_EMAIL:=}"
: "${RGSD_VSCODE_TUNNEL:=false}"
: "${RGSD_VSCODE_TUNNEL_NAME:=}"
# Image-managed dotfiles, refreshed into the home on every boot unless marked keep.
: "${RGSD_DOTFILES_DIR:=/opt/rgsd/dotfiles}"
# Volatile runtime state (warnings, pane records, screen hashes): emptied at every boot.
[ -n "${RGSD_RUN_DIR:-}" ] || RGSD_RUN_DIR="$RGSD_HOME/.rgsd/run"
# Where the image scripts are (/opt/rgsd in the image): not a knob, always this file's own
# directory. Exported, so the shells of the session find load-secrets.sh next to the scripts.
# Found without a process when this file is not a symlink (`rgsd connect` waits for attach).
_rgsd_lib=${BASH_SOURCE[0]}
if [ -L "$_rgsd_lib" ]; then
  RGSD_SCRIPTS_DIR=$(dirname "$(readlink -f "$_rgsd_lib")")
else
  case $_rgsd_lib in */*) RGSD_SCRIPTS_DIR=${_rgsd_lib%/*} ;; *) RGSD_SCRIPTS_DIR=. ;; esac
  case $RGSD_SCRIPTS_DIR in /*) ;; .) RGSD_SCRIPTS_DIR=$PWD ;; *) RGSD_SCRIPTS_DIR=$PWD/$RGSD_SCRIPTS_DIR ;; esac
fi
unset _rgsd_lib
# shellcheck disable=SC2034 # used by the scripts that source this file
{
  RGSD_STATE_DIR="$RGSD_HOME/.config/rgsd"
  RGSD_SECRETS_ENV="$RGSD_STATE_DIR/secrets.env"
  RGSD_SENTINEL="$RGSD_HOME/.home-initialized"
  RGSD_KEEP_MARKER='# rgsd: keep'
}
export RGSD_HOME RGSD_SKEL RGSD_INIT_SOURCE_DIR RGSD_WORKSPACE RGSD_TMUX_SESSION RGSD_AGENT \
  RGSD_AGENT_AUTOSTART RGSD_AGENT_ARGS RGSD_REPO_URL RGSD_REPO_BRANCH RGSD_GIT_USER_NAME \
  RGSD_GIT_USER_EMAIL RGSD_VSCODE_TUNNEL RGSD_VSCODE_TUNNEL_NAME RGSD_DOTFILES_DIR RGSD_SCRIPTS_DIR \
  RGSD_RUN_DIR

# log/warn go to stdout (the container log); never pass secret values to them.
rgsd_log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${RGSD_SCRIPT:-rgsd}" "$*"; }
rgsd_warn() { rgsd_log "warning: $*"; }
# rgsd_warn_code CODE MESSAGE: a warning in the log that also lands in
# $RGSD_RUN_DIR/warnings.jsonl ({"code","message","time"}, read by `status --json`).
rgsd_warn_code() {
  local code=$1
  shift
  rgsd_warn "$*"
  local time
  time=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  (umask 077 && mkdir -p "$RGSD_RUN_DIR" &&
    jq -cn --arg code "$code" --arg message "$*" --arg time "$time" \
      '{code: $code, message: $message, time: $time}' >>"$RGSD_RUN_DIR/warnings.jsonl") ||
    rgsd_log "warning: could not record warning '$code' in $RGSD_RUN_DIR"
}
rgsd_die() { printf '%s: error: %s\n' "${RGSD_SCRIPT:-rgsd}" "$1" >&2; [ $# -gt 1 ] && printf 'hint: %s\n' "$2" >&2; exit 1; }

rgsd_is_true() { case ${1,,} in true | 1 | yes | on) return 0 ;; *) return 1 ;; esac; }

# Host of a git remote URL: https://[user@]host[:port]/..., ssh://[user@]host[:port]/...,
# or scp-like [user@]host:path. Prints nothing for local paths.
rgsd_repo_host() {
  local url=$1 rest
  case $url in
    http://* | https://* | ssh://* | git://*)
      rest=${url#*://}
      rest=${rest%%/*}
      rest=${rest##*@}
      printf '%s\n' "${rest%%:*}"
      ;;
    /* | ./* | ../* | file://*) ;;
    *:*)
      rest=${url%%:*}
      printf '%s\n' "${rest##*@}"
      ;;
  esac
}

# Whether a remote URL uses ssh (scp-like or ssh://).
rgsd_repo_is_ssh() {
  case $1 in
    ssh://*) return 0 ;;
    http://* | https://* | git://* | file://* | /* | ./* | ../*) return 1 ;;
    *:*) return 0 ;;
    *) return 1 ;;
  esac
}

# Whether the rgsd tmux session exists (exact name; has-session's only output is "not found").
rgsd_session_exists() { tmux has-session -t "=$RGSD_TMUX_SESSION" 2>/dev/null; }
