# Managed by rgsd: refreshed from the image on every start. To keep your own version,
# make the first line of this file exactly:  # rgsd: keep
# Personal additions that survive refreshes belong in ~/.zshrc.local.

HISTFILE=~/.zsh_history
HISTSIZE=50000
SAVEHIST=50000
setopt share_history hist_ignore_dups interactive_comments prompt_subst
bindkey -e
autoload -Uz compinit && compinit -u

# npm global installs go to the home (the PVC), so `npm i -g` survives restarts.
export NPM_CONFIG_PREFIX="$HOME/.local"
typeset -U path
path=("$HOME/.local/bin" $path)
export EDITOR=${EDITOR:-vim}

# Project secrets: tokens and API keys for git, gh and the agents, exported from
# ~/.config/rgsd/secrets.env (written by rgsd init-home, 0600). The tmux server does not hold
# them; a value too large for the environment is left out with a warning.
if [[ -r ${RGSD_SCRIPTS_DIR:-/opt/rgsd}/load-secrets.sh ]]; then
  . "${RGSD_SCRIPTS_DIR:-/opt/rgsd}/load-secrets.sh"
fi

# fzf key bindings (Debian's fzf package)
[ -r /usr/share/doc/fzf/examples/key-bindings.zsh ] && . /usr/share/doc/fzf/examples/key-bindings.zsh
alias fd=fdfind ll='ls -la'

PROMPT='%F{cyan}%n@${RGSD_PROJECT:-rgsd}%f %F{yellow}%~%f %# '

[ -r "$HOME/.zshrc.local" ] && . "$HOME/.zshrc.local"
