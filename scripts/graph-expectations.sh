#!/usr/bin/env bash
# Writes FILE.tshark-graph.tsv beside each capture given (default: the captures the stream-graph tests read):
# what tshark 4.0 says of every TCP frame that a graph draws, for tests/graph_tshark.rs.
#
# Columns: frame, tcp.stream, source socket, then tshark's tcp.analysis.retransmission, fast_retransmission,
# spurious_retransmission, out_of_order, duplicate_ack, zero_window, window_full (1 or empty), ack_rtt,
# acks_frame, bytes_in_flight, and last `sack_in_flight`: computed here, in Python, from tshark's own
# tcp.seq / tcp.len / tcp.ack / SACK edges (relative): the bytes after the receiver's highest cumulative ACK
# up to the highest byte sent, less every SACKed range the receiver reported above that ACK. tshark has no
# such field (Wireshark issue 6683); this is the independent reckoning tcpdialog's figure is checked against.
#
# Needs tshark (Wireshark 4.0) and python3. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
    captures=(tests/fixtures/lossy.pcap tests/fixtures/zerowindow.pcap tests/fixtures/tcp/ipv6-sack.pcap
        tests/fixtures/tcp/loss.pcap tests/fixtures/tcp/zero-window.pcap captures/lossy-download.pcap)
fi
fields=(frame.number tcp.stream ip.src ipv6.src tcp.srcport tcp.analysis.retransmission
    tcp.analysis.fast_retransmission tcp.analysis.spurious_retransmission tcp.analysis.out_of_order
    tcp.analysis.duplicate_ack tcp.analysis.zero_window tcp.analysis.window_full tcp.analysis.ack_rtt
    tcp.analysis.acks_frame tcp.analysis.bytes_in_flight tcp.seq tcp.len tcp.ack tcp.flags.ack
    tcp.options.sack_le tcp.options.sack_re)
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done
for capture in "${captures[@]}"; do
    tshark -r "$capture" -n -Y tcp -T fields -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" \
        2> /dev/null | python3 -c '
import sys
print("frame\tstream\tsrc\tretransmission\tfast_retransmission\tspurious_retransmission\tout_of_order\tduplicate_ack\tzero_window\twindow_full\tack_rtt\tacks_frame\tbytes_in_flight\tsack_in_flight")
def gt(a, b): return ((a - b) & 0xffffffff) not in (0,) and ((a - b) & 0xffffffff) < 0x80000000
state = {}  # (stream, src) -> {"acked": int|None, "board": [(l, r)], "highest": int|None}
for line in sys.stdin:
    c = line.rstrip("\n").split("\t")
    frame, stream, ip4, ip6, port = c[0], c[1], c[2], c[3], c[4]
    ip = ip4 or ip6
    src = ("[%s]:%s" % (ip, port)) if ":" in ip else ("%s:%s" % (ip, port))
    seq, ln, ack, ackf = int(c[15]), int(c[16]), int(c[17] or 0), c[18] in ("1", "True")
    mine = state.setdefault((stream, src), {"acked": None, "board": [], "highest": None, "peer": None})
    peers = [k for k in state if k[0] == stream and k[1] != src]
    if ln > 0:
        end = (seq + ln) & 0xffffffff
        if mine["highest"] is None or gt(end, mine["highest"]):
            mine["highest"] = end
    sack_flight = ""
    if ln > 0:
        peer = state[peers[0]] if peers else {"acked": None, "board": []}
        acked = peer["acked"] if peer["acked"] is not None else 0
        high = mine["highest"]
        if not gt(high, acked):
            sack_flight = "0"
        else:
            sacked = 0
            for l, r in peer["board"]:
                l = acked if gt(acked, l) else l
                r = high if gt(r, high) else r
                if gt(r, l): sacked += (r - l) & 0xffffffff
            sack_flight = str(max(0, ((high - acked) & 0xffffffff) - sacked))
    if ackf:
        if mine["acked"] is None or gt(ack, mine["acked"]):
            mine["acked"] = ack
        les = [int(x) for x in c[19].split(",")] if c[19] else []
        res = [int(x) for x in c[20].split(",")] if c[20] else []
        ranges = set(b for b in mine["board"] + list(zip(les, res)) if gt(b[1], b[0]))
        acked = mine["acked"]
        # Each byte above the cumulative ACK that some block covered (ranges as sets of bytes, merged).
        merged = []
        for l, r in sorted((b for b in ranges if gt(b[1], acked)), key=lambda b: (b[0] - acked) & 0xffffffff):
            if merged and not gt(l, merged[-1][1]):
                if gt(r, merged[-1][1]): merged[-1] = (merged[-1][0], r)
            else:
                merged.append((l, r))
        mine["board"] = merged
    flag = lambda i: "1" if c[i] else ""
    print("\t".join([frame, stream, src] + [flag(i) for i in range(5, 12)] + [c[12], c[13], c[14], sack_flight]))
' > "$capture.tshark-graph.tsv"
    echo "wrote $capture.tshark-graph.tsv"
done
