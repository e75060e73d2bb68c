#!/usr/bin/env bash
# End-to-end benchmark of presswire: replay throughput vs a plain jieba-rs baseline, peak RSS,
# daemon latency (rename into the inbox -> output renamed into the outbox) and start-up time.
#
#   scripts/bench.sh [SINA_JSONL]
#
# The corpus is generated into a temp folder from the Sina news sample (default
# ../shared/data/sina-news/sina_sport_tech_2018.jsonl, or $PRESSWIRE_BENCH_SOURCE): articles
# concatenated into multi-article dumps, fixed seed, never committed. Environment:
#   BENCH_JOBS (default 2)  BENCH_MB (corpus size, default 52)  BENCH_SEED (default 7)
#   BENCH_LATENCY_DUMPS (default 200)  BENCH_KEEP=1 keeps the temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC="${1:-${PRESSWIRE_BENCH_SOURCE:-/work/shared/data/sina-news/sina_sport_tech_2018.jsonl}}"
JOBS="${BENCH_JOBS:-2}"
MB="${BENCH_MB:-52}"
SEED="${BENCH_SEED:-7}"
NLAT="${BENCH_LATENCY_DUMPS:-200}"
[ -f "$SRC" ] || { echo "bench: source articles not found: $SRC" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 is needed to generate the corpus" >&2; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: /usr/bin/time (GNU time) is needed for peak RSS" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/presswire-bench.XXXXXX")"
if [ "${BENCH_KEEP:-0}" != 1 ]; then trap 'rm -rf "$WORK"' EXIT; fi
TARGET="${CARGO_TARGET_DIR:-target}"

echo "== build (release)"
cargo build --release --quiet --bin presswire --example jieba_baseline --example daemon_latency
BIN="$TARGET/release/presswire"

echo "== generate corpus ($MB MB, seed $SEED) and $NLAT latency dumps of ~15 KB into $WORK"
python3 - "$SRC" "$WORK" "$MB" "$SEED" "$NLAT" <<'PY'
import json, os, random, sys
src, work, mb, seed, nlat = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
arts = []
for line in open(src, encoding="utf-8"):
    a = json.loads(line)
    paras = [p.strip() for p in a.get("paragraphs", []) if p.strip()]
    if a.get("title") and paras:
        arts.append((a["title"].strip(), paras))
rng = random.Random(seed)

def article(t, ps):
    return t + "\n\n" + "\n\n".join(ps) + "\n\n"

def write(folder, i, text):
    with open(os.path.join(folder, f"page-{i:05d}.txt"), "w", encoding="utf-8") as f:
        f.write(text)

# Throughput corpus: pages of 2-8 articles until the total reaches the target size.
corpus = os.path.join(work, "corpus"); os.makedirs(corpus)
total, i = 0, 0
while total < mb * 1e6:
    text = "".join(article(*rng.choice(arts)) for _ in range(rng.randint(2, 8)))
    write(corpus, i, text); total += len(text.encode()); i += 1
print(f"corpus: {i} dumps, {total/1e6:.1f} MB")

# Latency dumps: whole articles until the page reaches ~15 KB (the last one cut to fit).
lat = os.path.join(work, "latency-dumps"); os.makedirs(lat)
sizes = []
for j in range(nlat):
    text = ""
    while len(text.encode()) < 15000:
        t, ps = rng.choice(arts)
        room = 15000 - len(text.encode())
        body, kept = "", []
        for p in ps:
            if len((t + body + p).encode()) > room and kept:
                break
            kept.append(p); body += p
        text += article(t, kept)
    write(lat, j, text); sizes.append(len(text.encode()))
print(f"latency: {nlat} dumps, mean {sum(sizes)/len(sizes)/1000:.1f} KB")
PY

rss_mb() { awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); printf "%.1f", $2/1024}' "$1"; }

echo "== replay ($JOBS jobs) of the corpus folder"
"$TIME" -v "$BIN" replay --deterministic --quiet --jobs "$JOBS" --out "$WORK/out-folder" "$WORK/corpus" \
  >"$WORK/replay.out" 2>"$WORK/replay.time"
cat "$WORK/replay.out"
REPLAY_MBS=$(sed -n 's/.*(\([0-9.]*\) MB\/s.*/\1/p' "$WORK/replay.out" | head -1)
REPLAY_APS=$(sed -n 's/.*MB\/s, \([0-9.]*\) articles\/s.*/\1/p' "$WORK/replay.out" | head -1)
REPLAY_RSS=$(rss_mb "$WORK/replay.time")

echo "== replay ($JOBS jobs) of the same corpus as one .tar.gz (streamed)"
tar czf "$WORK/corpus.tgz" -C "$WORK" corpus
"$TIME" -v "$BIN" replay --deterministic --quiet --jobs "$JOBS" --out "$WORK/out-tgz" "$WORK/corpus.tgz" \
  >"$WORK/replay-tgz.out" 2>"$WORK/replay-tgz.time"
cat "$WORK/replay-tgz.out"
TGZ_MBS=$(sed -n 's/.*(\([0-9.]*\) MB\/s.*/\1/p' "$WORK/replay-tgz.out" | head -1)
TGZ_RSS=$(rss_mb "$WORK/replay-tgz.time")
if diff -rq "$WORK/out-folder" "$WORK/out-tgz" >/dev/null; then SAME=yes; else SAME=NO; fi

echo "== jieba-rs baseline ($JOBS jobs): cut + tag per line, TF-IDF per dump"
"$TIME" -v "$TARGET/release/examples/jieba_baseline" --jobs "$JOBS" "$WORK/corpus" \
  >"$WORK/base.out" 2>"$WORK/base.time"
cat "$WORK/base.out"
BASE_MBS=$(sed -n 's/.*mb_per_s=\([0-9.]*\).*/\1/p' "$WORK/base.out")
BASE_RSS=$(rss_mb "$WORK/base.time")

echo "== daemon: start-up to ready, and latency for $NLAT dumps handed over one at a time"
"$TARGET/release/examples/daemon_latency" "$BIN" "$WORK/latency-dumps" "$WORK/daemon" --starts 5 \
  | tee "$WORK/latency.out"

RATIO=$(python3 -c "print(f'{$REPLAY_MBS/$BASE_MBS*100:.0f}')")
echo
echo "== summary ($(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD))"
echo "replay folder : $REPLAY_MBS MB/s, $REPLAY_APS articles/s, peak RSS $REPLAY_RSS MB"
echo "replay .tgz   : $TGZ_MBS MB/s, peak RSS $TGZ_RSS MB, outputs identical to folder replay: $SAME"
echo "jieba baseline: $BASE_MBS MB/s, peak RSS $BASE_RSS MB"
echo "ratio         : replay = $RATIO% of the baseline (target >= 50%)"
sed -n 's/^startup: /start-up      : /p; s/^latency: /latency       : /p' "$WORK/latency.out"
