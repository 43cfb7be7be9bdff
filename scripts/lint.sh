#!/usr/bin/env bash
# `make lint`: OCA's pre-commit checks (.pre-commit-config.yaml) on every file of the
# checkout that git tracks or would track (new files included), with the tools of
# requirements-dev.txt installed into the project's venv. Fixers (ruff, ruff-format,
# whitespace, README.rst generation) rewrite files in place and the run fails: look at
# the diff, then run it again. `make test` runs it too and fails when it fails.
source "$(dirname "$0")/env.sh"

bash "$ROOT/scripts/setup.sh"
stamp=$VENV/.sop-dev-installed
want=$(cat "$ROOT/requirements-dev.txt" | cksum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "== Lint tools from requirements-dev.txt into $VENV"
    PIP_CONSTRAINT=$ROOT/scripts/pip-constraints.txt \
        pip_run install -q -r "$ROOT/requirements-dev.txt"
    echo "$want" > "$stamp"
fi

# The hooks are `language: system`: they run the venv's tools.
export PATH=$VENV/bin:$PATH
cd "$ROOT"
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
    | while read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done)
echo "== Linting ${#files[@]} files (pre-commit, .pre-commit-config.yaml)"
# In CI, show what the fixers changed (locally, `git diff` shows it).
extra=()
[ -n "${CI:-}" ] && extra=(--show-diff-on-failure)
pre-commit run --color=never "${extra[@]}" --files "${files[@]}"
