#!/usr/bin/env bash
# 5-fold stratified cross-validation of the linear classifier on the THUCNews cnews sample,
# entirely through the CLI: `presswire train` on four folds, then
# `presswire process --format jsonl --model` on the fifth.
#
# Usage: scripts/eval-cnews.sh [DATA.tsv] [-- extra `presswire train` flags]
#   DATA defaults to ../shared/data/cnews/cnews.sample1000.tsv (label<TAB>text per line).
#   PRESSWIRE=path/to/presswire selects the binary (default: target/release/presswire,
#   built with `cargo build --release` if missing).
#
# Folds are deterministic: the i-th article of each class (in file order) goes to fold i mod 5.
# Every derived file lives in a temporary folder that is removed on exit; nothing is written
# into the repository. Needs bash, awk and jq.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-}"
if [ -z "$data" ]; then
    for d in "$here/../shared" "$here/../../shared"; do
        [ -f "$d/data/cnews/cnews.sample1000.tsv" ] && data="$d/data/cnews/cnews.sample1000.tsv" && break
    done
fi
shift || true
[ "${1:-}" = "--" ] && shift
extra=("$@")
folds=5

if [ ! -f "${data:-}" ]; then
    echo "eval-cnews: no data at $data" >&2
    exit 2
fi
target="${CARGO_TARGET_DIR:-$here/target}"
bin="${PRESSWIRE:-$target/release/presswire}"
if [ ! -x "$bin" ]; then
    (cd "$here" && cargo build --release --quiet)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# TSV → JSONL with the fold number and the true label kept aside.
jq -R -c --argjson folds "$folds" '
    split("\t") as $f | {label: $f[0], text: ($f[1:] | join("\t"))}
' "$data" | awk -v folds="$folds" -v dir="$tmp" '
    {
        match($0, /"label":"[^"]*"/); label = substr($0, RSTART + 9, RLENGTH - 10)
        fold = seen[label]++ % folds
        print NR "\t" fold "\t" label > (dir "/truth.tsv")
        sub(/^\{/, "{\"id\":\"" NR "\",")
        print > (dir "/fold" fold ".jsonl")
    }'

printf '[classify]\nmin_score = 0.0\n' > "$tmp/config.toml"
: > "$tmp/predicted.tsv"
train_secs=0
for k in $(seq 0 $((folds - 1))); do
    : > "$tmp/train.jsonl"
    for j in $(seq 0 $((folds - 1))); do
        [ "$j" = "$k" ] || cat "$tmp/fold$j.jsonl" >> "$tmp/train.jsonl"
    done
    start=$(date +%s.%N)
    "$bin" --log-level warn train --data "$tmp/train.jsonl" --out "$tmp/model$k.pwlm" --name "cnews-fold$k" "${extra[@]}"
    end=$(date +%s.%N)
    train_secs=$(awk -v a="$train_secs" -v s="$start" -v e="$end" 'BEGIN { print a + e - s }')
    "$bin" --log-level warn process --config "$tmp/config.toml" --deterministic --format jsonl \
        --model "$tmp/model$k.pwlm" "$tmp/fold$k.jsonl" \
        | jq -r '[.source.id, .category.label, .category.score] | @tsv' >> "$tmp/predicted.tsv"
done
model_bytes=$(wc -c < "$tmp/model0.pwlm")

awk -F'\t' -v train_secs="$train_secs" -v folds="$folds" -v model_bytes="$model_bytes" \
    -v classes="$tmp/classes.txt" '
    NR == FNR { truth[$1] = $3; next }
    {
        t = truth[$1]; n[t]++; total++
        if ($2 == t) { ok[t]++; correct++ }
        pred[$2]++
        if ($3 >= 0.5) { cov++; if ($2 == t) covok++ }
    }
    END {
        for (c in n) {
            printf "%-8s %6d %8d %8.2f%% %8.2f%%\n", c, n[c], ok[c], 100 * ok[c] / n[c], \
                (pred[c] ? 100 * ok[c] / pred[c] : 0) > classes
        }
        printf "overall  %6d %8d %8.2f%%\n", total, correct, 100 * correct / total
        printf "at min_score 0.5: %.1f%% of articles labelled, %.2f%% of those correct\n", \
            100 * cov / total, (cov ? 100 * covok / cov : 0)
        printf "training: %.2f s per fold on average (tagging included); model file %d bytes\n", \
            train_secs / folds, model_bytes
        if (total != length(truth)) { print "error: " total " predictions for " length(truth) " articles" > "/dev/stderr"; exit 1 }
    }' "$tmp/truth.tsv" "$tmp/predicted.tsv" > "$tmp/summary.txt"
printf '%-8s %6s %8s %9s %9s\n' class n correct accuracy precision
sort "$tmp/classes.txt"
cat "$tmp/summary.txt"
