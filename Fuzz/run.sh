#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 600) on a copy of its committed
# seed corpus. A crash, a failed property, a hang (>10 s for one input) or a memory error stops
# that target, leaves the input in Fuzz/.work/findings/ and makes this script exit 1.
# Usage: bash Fuzz/run.sh [SECONDS] [TARGET...]   (targets: version trailers configuration commitgraph objectformats upgrade)
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("${@:-version trailers configuration commitgraph objectformats upgrade}")
read -r -a targets <<<"${targets[*]}"

mkdir -p .work
# SwiftPM gives each --sanitize its own -sanitize= flag and the compiler keeps only the last, so
# the combined flag goes to the compiler as well; --sanitize=fuzzer still links libFuzzer's main.
if ! swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address >.work/build.log 2>&1; then
    grep -E 'error' .work/build.log | head -20
    echo "the fuzz targets do not build (Fuzz/.work/build.log)" >&2
    exit 2
fi
export SWIFT_BACKTRACE=enable=no   # libFuzzer reports the crash; the Swift backtracer would take minutes

mkdir -p .work/findings
status=0
for target in "${targets[@]}"; do
    case $target in
        commitgraph) binary=.build/release/FuzzCommitGraph ;;
        objectformats) binary=.build/release/FuzzObjectFormats ;;
        *) binary=.build/release/Fuzz${target^} ;;
    esac
    corpus=.work/corpus-$target
    mkdir -p "$corpus"
    cp -n Corpus/"$target"/* "$corpus"/ 2>/dev/null
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536
             -artifact_prefix=.work/findings/"$target"- -print_final_stats=1)
    # TOMLKit 0.6.0 leaks a few bytes per parse (TOMLTable(string:) and .keys); not relkit's to fix.
    # (-detect_leaks=0 stops libFuzzer's checks while fuzzing; ASAN_OPTIONS the report at exit.)
    leaks=1
    [ "$target" = configuration ] && options+=(-detect_leaks=0) && leaks=0
    echo "== $target: ${seconds}s"
    started=$(date +%s)
    ASAN_OPTIONS=detect_leaks=$leaks "$binary" "${options[@]}" "$corpus" >.work/"$target".log 2>&1
    code=$?
    elapsed=$(( $(date +%s) - started ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' .work/"$target".log)
    coverage=$(grep -oE 'cov: [0-9]+' .work/"$target".log | tail -1)
    echo "   $target: exit $code, ${elapsed}s, ${runs:-?} inputs, ${coverage:-cov: ?}, corpus $(ls "$corpus" | wc -l) files"
    if [ "$code" -ne 0 ]; then
        status=1
        grep -E 'Fatal error|ERROR|SUMMARY' .work/"$target".log | head -5
        ls -t .work/findings | head -3
    fi
done
exit $status
