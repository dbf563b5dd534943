#!/usr/bin/env bash
# The safety net of a refactor: regenerates the reference outputs at two commits and compares them
# byte for byte. Outputs: every figure command's CSV (fig2, fig3, fig4, journal:probs, journal:rxc,
# journal:cxr; small trial counts), `matmul` output for the five paper schemes without its timing
# line, and the 17 seed-1 Fig. 6 metrics.csv files without their step_ms column (and summary.csv without ms_per_step).
# usage (from the project root): scripts/reference-outputs.sh BASE_COMMIT [HEAD_COMMIT]
#   HEAD_COMMIT defaults to HEAD (the same commit twice checks that the outputs are reproducible).
#   Each commit is checked out in a temporary worktree that shares this checkout's node_modules.
#   Exit 0 when every output is identical; lists the differences otherwise.
#   QUICK=1 skips the Fig. 6 runs (about 100 s on a quiet 2-core machine per commit).
#   REFERENCE_CACHE=DIR keeps a commit's outputs in DIR/<commit>-q<QUICK> and reuses them.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
base=$(git rev-parse "${1:?usage: scripts/reference-outputs.sh BASE_COMMIT [HEAD_COMMIT]}")
head=$(git rev-parse "${2:-HEAD}")
quick=${QUICK:-0}
work=$(mktemp -d)
trap 'for w in "$work"/tree-*; do [ -d "$w" ] && git worktree remove --force "$w" >/dev/null 2>&1; done; rm -rf "$work"' EXIT

generate() { # commit, output dir
  local commit=$1 out=$2 tree="$work/tree-$RANDOM"
  local cached="${REFERENCE_CACHE:-}/$commit-q$quick"
  if [ -n "${REFERENCE_CACHE:-}" ] && [ -d "$cached" ]; then
    cp -r "$cached" "$out"; echo "reference outputs: ${commit:0:7} from $cached"; return
  fi
  git worktree add --detach "$tree" "$commit" >/dev/null 2>&1
  ln -s "$root/node_modules" "$tree/node_modules"
  mkdir -p "$out"
  (
    cd "$tree"
    npm run -s fig2 -- --out "$out/fig2" >/dev/null
    npm run -s fig3 -- --trials 400 --out "$out/fig3" >/dev/null
    npm run -s fig4 -- --trials 400 --out "$out/fig4" >/dev/null
    # journal:probs is fig2 with these flags
    npm run -s fig2 -- --workers 30 --classes 3,3,3 --gamma 0.4,0.35,0.25 --out "$out/probs" >/dev/null
    npm run -s journal:rxc -- --trials 300 --out "$out/rxc" >/dev/null
    npm run -s journal:cxr -- --trials 300 --out "$out/cxr" >/dev/null
    for s in uncoded rep mds now ew; do
      npm run -s matmul -- --scheme "$s" --trials 300 | sed -E 's/^(trials: [0-9]+) in [0-9.]+ s$/\1/' >"$out/matmul-$s.txt"
    done
    if [ "$quick" != 1 ]; then
      npm run -s fig6 -- --seeds 1 --out "$out/fig6" >/dev/null
    fi
  )
  # keep the comparable files: CSVs (fig6's without their timing column) and matmul's text
  find "$out" -type f \( -name '*.png' -o -name '*.svg' -o -name '*.log' -o -name '*.json' -o -name 'fig6-wallclock*' \) -delete
  find "$out" \( -name metrics.csv -o -name 'summary*.csv' \) | while read -r f; do
    awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="step_ms" || $i=="ms_per_step") c=i} {l=""; for(i=1;i<=NF;i++) if(i!=c) l=l (l==""?"":",") $i; print l}' "$f" >"$f.cut"
    mv "$f.cut" "$f"
  done
  git worktree remove --force "$tree" >/dev/null 2>&1
  if [ -n "${REFERENCE_CACHE:-}" ] && [ "$commit" != "$head" -o "$base" != "$head" ]; then mkdir -p "$REFERENCE_CACHE"; cp -r "$out" "$cached"; fi
}

echo "reference outputs: generating at ${base:0:7}"; generate "$base" "$work/a"
[ "$base" = "$head" ] && REFERENCE_CACHE=
echo "reference outputs: generating at ${head:0:7}"; generate "$head" "$work/b"
if diff -r "$work/a" "$work/b" >"$work/diff.txt"; then
  echo "reference outputs: identical ($(find "$work/b" -type f | wc -l) files) at ${base:0:7} and ${head:0:7}"
else
  echo "reference outputs: DIFFERENT at ${base:0:7} and ${head:0:7}:"
  grep -E '^(diff|Only in)' "$work/diff.txt" | sed -e "s|$work/a/||g" -e "s|$work/b/||g" | head -40
  exit 1
fi
