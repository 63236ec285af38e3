#!/usr/bin/env python3
"""Write N deterministic markdown posts for the site-build benchmark (compare.sh).

Usage: gen_posts.py --count N --front-matter pelican|yaml [--diagram] OUT_DIR

Every post has a title, a date (2020-08-31 09:00, one day later per post), the tags tcp and http, a slug, a
summary, 3-5 paragraphs of prose and one code block. With --diagram a ```tcpdialog block drawing
captures/http-close.pcap is added after the second paragraph (only the tcpdialog site gets it: Hugo and Pelican
cannot draw one).

The prose comes from random.Random(SEED + post number), so the three sites built by compare.sh get the same
words in the same posts, and every run writes byte-identical files.
"""
import argparse
import datetime
import os
import random

SEED = 20200831
FIRST_DATE = datetime.datetime(2020, 8, 31, 9, 0)

NOUNS = (
    "segment", "window", "handshake", "socket", "client", "server", "request", "response", "header", "connection",
    "packet", "stream", "buffer", "timer", "retransmission", "acknowledgement", "port", "proxy", "capture",
    "sequence number", "keep-alive", "frame", "payload", "kernel", "browser", "load balancer", "round trip",
)
VERBS = (
    "sends", "acknowledges", "closes", "resets", "waits for", "retransmits", "opens", "reuses", "drops", "delays",
    "reads", "writes", "queues", "announces", "shrinks", "grows", "carries", "follows", "answers", "ignores",
)
ADJECTIVES = (
    "small", "late", "duplicate", "half-open", "idle", "busy", "first", "last", "empty", "full", "slow", "fast",
    "pipelined", "lost", "spurious", "final", "initial", "zero", "large", "stale",
)
ADVERBS = ("quietly", "at once", "a little later", "twice", "again", "on time", "too early", "eventually")

CODE_BLOCKS = (
    ("sh", "tcpdump -i lo -w {name}.pcap 'tcp port {port}'\ncurl -sv http://127.0.0.1:{port}/ -o /dev/null"),
    ("python", "import socket\n\ns = socket.create_connection((\"127.0.0.1\", {port}))\n"
               "s.sendall(b\"GET / HTTP/1.1\\r\\nHost: {name}\\r\\n\\r\\n\")\nprint(s.recv(4096))\ns.close()"),
    ("text", "GET /{name} HTTP/1.1\nHost: 127.0.0.1:{port}\nConnection: close\n\nHTTP/1.1 200 OK\n"
             "Content-Length: {port}"),
)

DIAGRAM_BLOCK = '```tcpdialog\ncapture = "http-close.pcap"\n```'


def sentence(rng):
    words = [rng.choice(ADJECTIVES).capitalize() if rng.random() < 0.5 else "The",
             rng.choice(NOUNS), rng.choice(VERBS), "the", rng.choice(ADJECTIVES), rng.choice(NOUNS)]
    if rng.random() < 0.4:
        words += ["before the", rng.choice(NOUNS)]
    if rng.random() < 0.3:
        words.append(rng.choice(ADVERBS))
    return " ".join(words) + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(4, 7)))


def post(number, front_matter, diagram):
    rng = random.Random(SEED + number)
    topic = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    title = f"Post {number}: the {topic}"
    slug = f"post-{number:04d}-" + topic.replace(" ", "-")
    summary = sentence(rng)
    date = FIRST_DATE + datetime.timedelta(days=number - 1)

    paragraphs = [paragraph(rng) for _ in range(rng.randint(3, 5))]
    lang, code = rng.choice(CODE_BLOCKS)
    code = code.format(name=slug, port=rng.randint(1024, 65535))
    body = paragraphs[:2]
    if diagram:
        body.append(DIAGRAM_BLOCK)
    body.append(f"```{lang}\n{code}\n```")
    body += paragraphs[2:]

    if front_matter == "pelican":
        head = (f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nTags: tcp; http;\nSlug: {slug}\n"
                f"Summary: {summary}\n")
    else:
        head = (f"---\ntitle: \"{title}\"\ndate: {date:%Y-%m-%dT%H:%M:%S}Z\ntags: [tcp, http]\nslug: {slug}\n"
                f"summary: \"{summary}\"\n---\n")
    return slug, head + "\n" + "\n\n".join(body) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--front-matter", choices=("pelican", "yaml"), default="pelican")
    parser.add_argument("--diagram", action="store_true")
    parser.add_argument("out_dir")
    args = parser.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    for number in range(1, args.count + 1):
        slug, text = post(number, args.front_matter, args.diagram)
        with open(os.path.join(args.out_dir, f"{slug}.md"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
