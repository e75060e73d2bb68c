#!/usr/bin/env bash
# Throughput of N presswire workers on one NATS JetStream queue vs one local daemon, on the
# same corpus (docs/SCALING.md). Usage:
#
#   scripts/nats-throughput.sh CORPUS.tsv [DUMPS] [WORKERS]
#
# CORPUS.tsv is `label<TAB>text` per line (e.g. /work/shared/data/cnews/cnews.sample1000.tsv);
# it is cut into DUMPS dumps (default 200) of several articles each, in a temp folder that is
# removed afterwards. Starts its own nats-server -js on loopback (or uses $NATS_URL).
# Models load before the clock starts; the clock stops when the last output file appears.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: $0 CORPUS.tsv [DUMPS] [WORKERS]}
dumps=${2:-200}
workers=${3:-2}
target=${CARGO_TARGET_DIR:-target}
bin="$target/release/presswire"
cargo build --release --quiet
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

python3 - "$corpus" "$dumps" "$work/corpus" <<'EOF'
import os, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out)
rows = [l.rstrip("\n").split("\t", 1)[1] for l in open(src, encoding="utf-8") if "\t" in l]
per = max(1, len(rows) // n)
for d in range(n):
    arts = rows[(d * per) % len(rows):][:per] or rows[:per]
    parts = []
    for k, a in enumerate(arts):
        # headline = first clause, body = sentences; a dump number keeps every dump distinct
        head = a[:18].replace("。", "")
        body = a[18:].replace("。", "。\n\n")
        parts.append(f"{head} {d}-{k}\n\n{body}\n\n")
    open(os.path.join(out, f"dump-{d:04}.txt"), "w", encoding="utf-8").write("".join(parts))
EOF
bytes=$(du -sb "$work/corpus" | cut -f1)
echo "corpus: $dumps dumps, $bytes bytes, from $corpus; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
count() { find "$1" -maxdepth 1 -name '*.jsonl' | wc -l; }
wait_outputs() { # DIR N
    while [ "$(count "$1")" -lt "$2" ]; do sleep 0.05; done
}
wait_log() { # FILE TEXT COUNT
    while [ "$(grep -c "$2" "$1" 2>/dev/null || true)" -lt "$3" ]; do sleep 0.05; done
}
report() { # LABEL START END
    awk -v l="$1" -v s="$2" -v e="$3" -v n="$dumps" -v b="$bytes" 'BEGIN {
        t = e - s; printf "%-28s %6.2f s  %7.1f dumps/s  %6.2f MB/s\n", l, t, n / t, b / t / 1e6 }'
}

# 1. One local daemon.
mkdir -p "$work/inbox" "$work/out-local"
"$bin" --log-format json run --inbox "$work/inbox" --outbox "$work/out-local" 2>"$work/run.log" &
pids+=($!)
wait_log "$work/run.log" "inbox watcher ready" 1
t0=$(now)
mv "$work/corpus"/* "$work/inbox/"
wait_outputs "$work/out-local" "$dumps"
t1=$(now)
report "local daemon (run)" "$t0" "$t1"
kill "${pids[0]}"; wait "${pids[0]}" || true; pids=()
mv "$work/inbox/.done"/* "$work/corpus/"

# 2. NATS: one server, then 1 and $workers workers.
if [ -z "${NATS_URL:-}" ]; then
    nats-server -js -a 127.0.0.1 -p 14299 -m 18299 -sd "$work/js" -l "$work/nats.log" &
    pids+=($!)
    until (exec 3<>/dev/tcp/127.0.0.1/18299) 2>/dev/null; do sleep 0.05; done
    export NATS_URL=nats://127.0.0.1:14299
fi
for n in 1 "$workers"; do
    tag="bench$n$$"
    cat > "$work/$tag.toml" <<EOF
[nats]
stream = "${tag^^}_JOBS"
subject = "$tag.jobs"
consumer = "$tag"
dead_letter_stream = "${tag^^}_DEAD"
dead_letter_subject = "$tag.dead"
object_bucket = "$tag"
EOF
    out="$work/out-$tag"
    wpids=()
    for i in $(seq 1 "$n"); do
        "$bin" worker -c "$work/$tag.toml" --outbox "$out" 2>"$work/$tag-w$i.log" &
        wpids+=($!); pids+=($!)
    done
    for i in $(seq 1 "$n"); do wait_log "$work/$tag-w$i.log" "worker ready" 1; done
    t0=$(now)
    "$bin" submit -c "$work/$tag.toml" "$work/corpus" 2>/dev/null
    t_sub=$(now)
    wait_outputs "$out" "$dumps"
    t1=$(now)
    report "submit only" "$t0" "$t_sub"
    report "submit + $n worker(s)" "$t0" "$t1"
    for p in "${wpids[@]}"; do kill "$p"; wait "$p" || true; done
    pids=("${pids[@]:0:${#pids[@]}-$n}")
done
