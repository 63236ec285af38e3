#!/usr/bin/env python3
"""Write the deterministic static web content used by make-captures.sh.

Usage: mkcontent.py DIR
Everything is derived from fixed text or random.Random(fixed seed), so the
files (and therefore response sizes) are identical on every run.
"""
import os
import random
import sys

d = sys.argv[1]
os.makedirs(d, exist_ok=True)


def write(name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def blob(seed, n):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


index = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>tcpdialog test page</title>
  <link rel="stylesheet" href="/style.css">
  <link rel="icon" href="/favicon.ico">
  <script src="/app.js" defer></script>
</head>
<body>
  <h1>Hello from tcpdialog</h1>
  <p>This small page is served by a local nginx so that the capture
  scripts have something real to download. It references a style
  sheet, a script, a font, an icon and two images.</p>
  <img src="/logo.png" alt="logo" width="64" height="64">
  <img src="/hero.jpg" alt="hero" width="320" height="120">
  <img src="/icon.svg" alt="icon" width="16" height="16">
  <p>Nothing else to see here.</p>
</body>
</html>
"""
write("index.html", index)
write("style.css", "body { font-family: 'Test Sans', sans-serif; margin: 2em; }\n"
      "@font-face { font-family: 'Test Sans'; src: url(/font.woff2); }\n"
      "h1 { color: #204080; }\n" + "".join(
          f".c{i} {{ margin-left: {i}px; }}\n" for i in range(40)))
write("app.js", "document.addEventListener('DOMContentLoaded', () => {\n"
      "  console.log('tcpdialog test page loaded');\n});\n" + "".join(
          f"function f{i}(x) {{ return x * {i} + 1; }}\n" for i in range(60)))
write("logo.png", blob(1, 3000))
write("hero.jpg", blob(2, 12000))
write("font.woff2", blob(3, 6000))
write("icon.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
      '<circle cx="8" cy="8" r="7" fill="#204080"/></svg>\n')
write("favicon.ico", blob(4, 1150))
write("file20k.bin", blob(5, 20000))
write("file300k.bin", blob(6, 300000))
