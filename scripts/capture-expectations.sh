#!/usr/bin/env bash
# Makes the capture stage's extra fixtures and its tshark expectations (tests/fixtures/capture/).
#
# * two-interfaces.pcapng: mergecap of any-sll2.pcap (LINUX_SLL2, µs) and tshark.pcapng (Ethernet, ns):
#   one section, two interfaces of different link types and timestamp resolutions.
# * two-sections.pcapng: tshark.pcapng followed by ipv6.pcap converted to pcapng: two section headers.
# * NAME.fields.tsv for every capture in captures/ and tests/fixtures/ (and the two above): per-frame fields
#   from tshark with absolute sequence numbers and epoch timestamps, what tests/capture_fixtures.rs compares to.
#
# Needs tshark, mergecap and editcap (Wireshark 4.0). Run from anywhere; writes only tests/fixtures/capture/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/capture
mkdir -p "$out"

mergecap -F pcapng -w "$out/two-interfaces.pcapng" tests/fixtures/any-sll2.pcap tests/fixtures/tshark.pcapng
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
editcap -F pcapng tests/fixtures/ipv6.pcap "$tmp/ipv6.pcapng"
cat tests/fixtures/tshark.pcapng "$tmp/ipv6.pcapng" > "$out/two-sections.pcapng"

fields=(frame.number frame.time_epoch frame.len frame.cap_len ip.src ipv6.src tcp.srcport ip.dst ipv6.dst
    tcp.dstport tcp.seq tcp.ack tcp.flags tcp.len tcp.window_size_value tcp.options.mss_val
    tcp.options.wscale.shift tcp.options.sack_perm tcp.options.timestamp.tsval tcp.options.timestamp.tsecr
    tcp.options.sack_le tcp.options.sack_re ip.flags.mf ip.frag_offset)
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done

for capture in captures/*.pcap tests/fixtures/*.pcap tests/fixtures/*.pcapng "$out"/*.pcapng; do
    [ -s "$capture" ] || continue
    name=$(basename "$capture")
    # A cut file makes tshark exit 2 after printing every complete frame: keep those.
    tshark -r "$capture" -n -o tcp.relative_sequence_numbers:FALSE -T fields -E header=y -E separator=/t \
        "${args[@]}" > "$out/$name.fields.tsv" 2> /dev/null || true
done
echo "wrote $(ls "$out"/*.fields.tsv | wc -l) expectation files to $out"

# Seed corpus of the capture fuzz target (fuzz/corpus/capture/seed-*): small fixtures whole and cut at a few
# points, so the fuzzer starts from every format and link type. tests/capture_fuzz_corpus.rs replays them.
seeds=fuzz/corpus/capture
mkdir -p "$seeds"
rm -f "$seeds"/seed-*
for capture in tests/fixtures/refused.pcap tests/fixtures/any-sll.pcap tests/fixtures/any-sll2.pcap \
    tests/fixtures/ipv6.pcap tests/fixtures/nanosecond.pcap tests/fixtures/bigendian.pcap \
    tests/fixtures/snaplen96.pcap tests/fixtures/tshark.pcapng "$out/two-interfaces.pcapng" \
    "$out/two-sections.pcapng"; do
    name=$(basename "$capture")
    cp "$capture" "$seeds/seed-$name"
    for cut in 23 30 100 333 1000; do
        head -c "$cut" "$capture" > "$seeds/seed-$name-cut$cut"
    done
done
echo "wrote $(ls "$seeds"/seed-* | wc -l) fuzz seeds to $seeds"
