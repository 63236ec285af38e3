#!/usr/bin/env bash
# Times `tcpdialog inspect FILE --format json` against `tcpdump -r FILE` and `tshark -q -z conv,tcp -r FILE`,
# reporting wall time, packets/s, MB/s (of file size) and peak memory (from /usr/bin/time -v).
#
# Usage: benches/compare-inspect.sh FILE [TCPDIALOG_BINARY]   (default binary: target/release/tcpdialog)
# Needs /usr/bin/time (apt-get install time), tcpdump, tshark, capinfos (from the tshark package).
set -euo pipefail

file="${1:?usage: $0 FILE [TCPDIALOG_BINARY]}"
bin="${2:-target/release/tcpdialog}"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }

packets="$(capinfos -c -M "$file" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')"
bytes="$(stat -c %s "$file")"
echo "file: $file  packets: $packets  size: $((bytes / 1024 / 1024)) MiB"
printf '%-10s %10s %14s %10s %12s\n' tool seconds packets/s MB/s peak-MiB

measure() {
    local name="$1"
    shift
    local log
    log="$(mktemp)"
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { echo "$name failed:" >&2; tail -5 "$log" >&2; rm -f "$log"; return; }
    local wall rss
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
    rm -f "$log"
    # Elapsed is h:mm:ss or m:ss.ss
    local secs
    secs="$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')"
    awk -v n="$name" -v s="$secs" -v p="$packets" -v b="$bytes" -v r="$rss" 'BEGIN {
        if (s <= 0) s = 0.001;
        printf "%-10s %10.2f %14.0f %10.1f %12.1f\n", n, s, p / s, b / 1e6 / s, r / 1024 }'
}

measure tcpdialog "$bin" inspect "$file" --format json
measure tcpdump tcpdump -n -r "$file"
measure tshark tshark -q -z conv,tcp -r "$file"
