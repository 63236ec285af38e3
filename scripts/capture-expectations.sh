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
