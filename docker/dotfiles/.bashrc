# Managed by rgsd: refreshed from the image on every start. To keep your own version,
# make the first line of this file exactly:  # rgsd: keep
# Personal additions that survive refreshes belong in ~/.bashrc.local.
#
# bash reads this file in interactive shells (login shells through ~/.profile); zsh is the
# login shell, this is for `bash` started on its own (kubectl exec … bash, a bash window).
# shellcheck shell=bash disable=SC1090,SC1091 # sources files of the image and the home

case $- in
  *i*) ;;
  *) return ;;
esac

HISTFILE=~/.bash_history
HISTSIZE=50000
HISTFILESIZE=50000
HISTCONTROL=ignoredups
shopt -s histappend checkwinsize

# npm global installs go to the home (the PVC), so `npm i -g` survives restarts.
export NPM_CONFIG_PREFIX="$HOME/.local"
case ":$PATH:" in
  *":$HOME/.local/bin:"*) ;;
  *) PATH="$HOME/.local/bin:$PATH" ;;
esac
export EDITOR=${EDITOR:-vim}

# Project secrets: tokens and API keys for git, gh and the agents, exported from
# ~/.config/rgsd/secrets.env (written by rgsd init-home, 0600). The tmux server does not hold
# them; a value too large for the environment is left out with a warning.
if [ -r "${RGSD_SCRIPTS_DIR:-/opt/rgsd}/load-secrets.sh" ]; then
  . "${RGSD_SCRIPTS_DIR:-/opt/rgsd}/load-secrets.sh"
fi

[ -r /usr/share/doc/fzf/examples/key-bindings.bash ] && . /usr/share/doc/fzf/examples/key-bindings.bash
[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
alias fd=fdfind ll='ls -la' ls='ls --color=auto'

PS1='\[\e[36m\]\u@${RGSD_PROJECT:-rgsd}\[\e[0m\] \[\e[33m\]\w\[\e[0m\] \$ '

[ -r "$HOME/.bashrc.local" ] && . "$HOME/.bashrc.local"
