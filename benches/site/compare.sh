#!/usr/bin/env bash
# Site-build benchmark: tcpdialog against Hugo and Pelican on N generated posts (see README.md beside this file).
#
# Usage: benches/site/compare.sh [--record] [--keep]
#   --record   also write the table (and the machine it ran on) to benches/site/RESULTS.md
#   --keep     keep the generated sites (their path is printed) instead of removing them at exit
# Environment:
#   N=1000                       posts per site
#   TOOLS="tcpdialog tcpdialog-no-cache hugo pelican"  which tools to measure (tcpdialog-no-cache: every
#                                diagram analysed and drawn again, as if each post had its own capture)
#   REPO=<repo holding this script>  the tcpdialog checkout to build with `cargo build --release`
#   COLD_RUNS=3 NOOP_RUNS=5      runs per measurement
#   SITES_IN="${TMPDIR:-/tmp}"   folders to build the sites in, one run each (e.g. "/tmp /dev/shm": disk, then RAM)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
N=${N:-1000}
TOOLS=${TOOLS:-"tcpdialog tcpdialog-no-cache hugo pelican"}
REPO=${REPO:-$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel)}
COLD_RUNS=${COLD_RUNS:-3}
NOOP_RUNS=${NOOP_RUNS:-5}
SITES_IN=${SITES_IN:-${TMPDIR:-/tmp}}
RECORD=false
KEEP=false

for arg in "$@"; do
    case $arg in
        --record) RECORD=true ;;
        --keep) KEEP=true ;;
        -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools -----------------------------------------
# Missing essentials stop the run; a missing benchmarked tool is skipped with the command that installs it.
command -v python3 >/dev/null || { echo "python3 is required (apt-get install -y python3)" >&2; exit 1; }
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    echo "GNU time is required for peak RSS: apt-get install -y time" >&2
    exit 1
fi
HAVE_HYPERFINE=false
if command -v hyperfine >/dev/null; then
    HAVE_HYPERFINE=true
else
    say "hyperfine not found (apt-get install -y hyperfine): timing with /usr/bin/time instead"
fi

if [[ ! -f $REPO/Cargo.toml || ! -f $REPO/captures/http-close.pcap ]]; then
    echo "REPO=$REPO is not a tcpdialog checkout (no Cargo.toml or captures/http-close.pcap)" >&2
    exit 1
fi

# Every folder made here is listed in TEMP_DIRS and removed at exit (unless --keep).
TEMP_DIRS=()
cleanup() {
    if $KEEP; then
        say "sites kept in ${TEMP_DIRS[*]:1}"
        rm -rf "${TEMP_DIRS[0]}"
    else
        rm -rf "${TEMP_DIRS[@]}"
    fi
}
trap cleanup EXIT
REPORT=$(mktemp -d)
TEMP_DIRS+=("$REPORT")
ROWS=$REPORT/rows.md
SKIPPED=$REPORT/skipped.md
: >"$ROWS"
: >"$SKIPPED"

skip() { # tool, reason
    say "skipping $1: $2"
    printf -- '- %s: skipped (%s)\n' "$1" "$2" >>"$SKIPPED"
}

wanted() { [[ " $TOOLS " == *" $1 "* ]]; }

TCPDIALOG=$REPO/target/release/tcpdialog
if wanted tcpdialog || wanted tcpdialog-no-cache; then
    if ! command -v cargo >/dev/null; then
        skip tcpdialog "cargo not found: install Rust from https://rustup.rs"
    else
        say "cargo build --release in $REPO"
        if ! (cd "$REPO" && cargo build --release --quiet); then
            skip tcpdialog "cargo build --release failed in $REPO"
        elif ! "$TCPDIALOG" build --help >/dev/null 2>&1; then
            skip tcpdialog "\`tcpdialog build --help\` fails: this checkout has no build command yet"
        fi
    fi
fi
if wanted hugo && ! command -v hugo >/dev/null; then
    skip hugo "hugo not found: apt-get install -y hugo"
fi
if wanted pelican && ! command -v pelican >/dev/null; then
    skip pelican "pelican not found: pip install pelican markdown"
fi
if wanted pelican && command -v pelican >/dev/null && ! python3 -c 'import markdown' 2>/dev/null; then
    skip pelican "Pelican reads .md only with Python-Markdown: pip install markdown"
fi
# tcpdialog-no-cache is the same binary: skipped when tcpdialog is.
usable() { wanted "$1" && ! grep -q "^- ${1%-no-cache}: skipped" "$SKIPPED"; }

# ---------------------------------------------------------------- sites -----------------------------------------
# Writes the three sites into WORK (SITE_TCPDIALOG, SITE_HUGO, SITE_PELICAN).
make_sites() {
    local GEN=$SCRIPT_DIR/gen_posts.py
    say "generating $N posts per site in $WORK"

    SITE_TCPDIALOG=$WORK/tcpdialog
    python3 "$GEN" --count "$N" --front-matter pelican --diagram "$SITE_TCPDIALOG/content/posts"
    mkdir -p "$SITE_TCPDIALOG/captures"
    cp "$REPO/captures/http-close.pcap" "$SITE_TCPDIALOG/captures/"
    cat >"$SITE_TCPDIALOG/tcpdialog.toml" <<'EOF'
title = "Bench"
base_url = "/"
EOF

    SITE_HUGO=$WORK/hugo
    python3 "$GEN" --count "$N" --front-matter yaml "$SITE_HUGO/content/posts"
    mkdir -p "$SITE_HUGO/layouts/_default"
    cat >"$SITE_HUGO/config.toml" <<'EOF'
baseURL = "/"
title = "Bench"
languageCode = "en"
EOF
    cat >"$SITE_HUGO/layouts/_default/single.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title></head>
<body>
<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}
<p>Tags: {{ range .Params.tags }}<a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a> {{ end }}</p>
</article>
</body>
</html>
EOF
    cat >"$SITE_HUGO/layouts/_default/list.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title></head>
<body>
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}: {{ .Params.summary }}</li>
{{ end }}</ul>
</body>
</html>
EOF
    cat >"$SITE_HUGO/layouts/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body>
<h1>{{ .Site.Title }}</h1>
<ul>
{{ range where .Site.RegularPages "Section" "posts" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}: {{ .Params.summary }}</li>
{{ end }}</ul>
</body>
</html>
EOF

    SITE_PELICAN=$WORK/pelican
    python3 "$GEN" --count "$N" --front-matter pelican "$SITE_PELICAN/content"
    # The content cache is Pelican's own answer to rebuilds, so it is on: without it a no-op rebuild is a cold one.
    cat >"$SITE_PELICAN/pelicanconf.py" <<EOF
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
CACHE_PATH = "$SITE_PELICAN/cache"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
EOF
}

# ---------------------------------------------------------------- measuring -------------------------------------
# "mean ± stddev (min)" in seconds (the minimum is the least disturbed by other jobs on the machine), from a hyperfine JSON export or from a file of /usr/bin/time -f %e lines.
mean_sd() { # kind (json|lines), file
    python3 - "$1" "$2" <<'EOF'
import json, statistics, sys
kind, path = sys.argv[1], sys.argv[2]
if kind == "json":
    times = json.load(open(path))["results"][0]["times"]
else:
    times = [float(line) for line in open(path) if line.strip()]
sd = statistics.stdev(times) if len(times) > 1 else 0.0
print(f"{statistics.mean(times):.2f} ± {sd:.2f} (min {min(times):.2f})")
EOF
}

# Times `build` COLD_RUNS times from nothing (`clean` before each) and NOOP_RUNS times with nothing changed.
timings() { # name, build, clean -> prints "cold|noop"
    local name=$1 build=$2 clean=$3 cold noop
    local file=${name// /_}
    if $HAVE_HYPERFINE; then
        hyperfine --style basic --warmup 0 --runs "$COLD_RUNS" --prepare "$clean" \
            --command-name "$name cold" --export-json "$WORK/$file-cold.json" "$build" >&2
        cold=$(mean_sd json "$WORK/$file-cold.json")
        # One warm-up so the measured runs all start from a finished build with its caches written.
        hyperfine --style basic --warmup 1 --runs "$NOOP_RUNS" \
            --command-name "$name no-op" --export-json "$WORK/$file-noop.json" "$build" >&2
        noop=$(mean_sd json "$WORK/$file-noop.json")
    else
        local i
        : >"$WORK/$file-cold.txt"
        for ((i = 0; i < COLD_RUNS; i++)); do
            sh -c "$clean"
            /usr/bin/time -f %e -a -o "$WORK/$file-cold.txt" sh -c "exec $build" >/dev/null
        done
        cold=$(mean_sd lines "$WORK/$file-cold.txt")
        sh -c "exec $build" >/dev/null
        : >"$WORK/$file-noop.txt"
        for ((i = 0; i < NOOP_RUNS; i++)); do
            /usr/bin/time -f %e -a -o "$WORK/$file-noop.txt" sh -c "exec $build" >/dev/null
        done
        noop=$(mean_sd lines "$WORK/$file-noop.txt")
    fi
    printf '%s|%s\n' "$cold" "$noop"
}

# Peak resident set size of one cold build, in MB; leaves a finished build behind.
peak_rss() { # name, build, clean
    sh -c "$3"
    /usr/bin/time -v -o "$WORK/rss.txt" sh -c "exec $2" >/dev/null
    awk -F': ' '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$WORK/rss.txt"
}

measure() { # name, version, site dir, output dir (relative), build command, clean command
    local name=$1 version=$2 site=$3 out=$3/$4 build=$5 clean=$6 times cold noop rss html size files
    say "$name: $build"
    times=$(timings "$name" "$build" "$clean")
    cold=${times%|*}
    noop=${times#*|}
    rss=$(peak_rss "$name" "$build" "$clean")
    # A build that silently skipped the posts would look fast: require one HTML page per post at least.
    html=$(find "$out" -name '*.html' | wc -l)
    if ((html < N)); then
        echo "$name wrote $html HTML files for $N posts: the benchmark site is broken" >&2
        exit 1
    fi
    # Bytes of the files themselves: folder sizes differ between file systems.
    size=$(find "$out" -type f -printf '%s\n' | awk '{ total += $1 } END { printf "%.1f MB", total / 1e6 }')
    files=$(find "$out" -type f | wc -l)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s in %s files |\n' \
        "$name" "$version" "$WHERE" "$N" "$cold" "$noop" "$rss" "$size" "$files" >>"$ROWS"
}

q() { printf '%q' "$1"; }

if usable tcpdialog || usable tcpdialog-no-cache; then
    # The commit built, marked when sources differ from it (changes under benches/ do not count).
    commit=$(git -C "$REPO" rev-parse --short HEAD)
    if [[ -n $(git -C "$REPO" status --porcelain -- . ':!benches') ]]; then
        commit="$commit + local changes"
    fi
    TCPDIALOG_VERSION="$("$TCPDIALOG" --version | awk '{ print $2 }') ($commit)"
fi

# The sites are built in each folder of SITES_IN in turn: the file system matters (see README.md).
for base in $SITES_IN; do
    WORK=$(mktemp -d -p "$base")
    TEMP_DIRS+=("$WORK")
    WHERE="$(df --output=fstype "$WORK" | tail -n 1) ($base)"
    make_sites

    if usable tcpdialog; then
        measure tcpdialog "$TCPDIALOG_VERSION" "$SITE_TCPDIALOG" output \
            "$(q "$TCPDIALOG") build --quiet --root $(q "$SITE_TCPDIALOG")" \
            "rm -rf $(q "$SITE_TCPDIALOG/output") $(q "$SITE_TCPDIALOG/.tcpdialog-cache") $(q "$SITE_TCPDIALOG")/.output-staging*"
    fi
    if usable tcpdialog-no-cache; then
        measure "tcpdialog --no-cache" "$TCPDIALOG_VERSION" "$SITE_TCPDIALOG" output \
            "$(q "$TCPDIALOG") build --quiet --no-cache --root $(q "$SITE_TCPDIALOG")" \
            "rm -rf $(q "$SITE_TCPDIALOG/output") $(q "$SITE_TCPDIALOG/.tcpdialog-cache") $(q "$SITE_TCPDIALOG")/.output-staging*"
    fi
    if usable hugo; then
        version=$(hugo version | sed -n 's/^hugo v\([^ +]*\).*/\1/p')
        measure hugo "$version" "$SITE_HUGO" public \
            "hugo --quiet --source $(q "$SITE_HUGO") --cacheDir $(q "$SITE_HUGO/.hugo-cache")" \
            "rm -rf $(q "$SITE_HUGO/public") $(q "$SITE_HUGO/resources") $(q "$SITE_HUGO/.hugo-cache") $(q "$SITE_HUGO/.hugo_build.lock")"
    fi
    if usable pelican; then
        version=$(pelican --version)
        measure pelican "$version" "$SITE_PELICAN" output \
            "pelican --quiet $(q "$SITE_PELICAN/content") -o $(q "$SITE_PELICAN/output") -s $(q "$SITE_PELICAN/pelicanconf.py")" \
            "rm -rf $(q "$SITE_PELICAN/output") $(q "$SITE_PELICAN/cache") $(q "$SITE_PELICAN/__pycache__")"
    fi
    if ! $KEEP; then
        rm -rf "$WORK"
    fi
done

# ---------------------------------------------------------------- report ----------------------------------------
table() {
    echo '| tool | version | sites on | posts | cold (s) | no-op (s) | peak RSS (MB) | output size |'
    echo '|------|---------|----------|------:|---------:|----------:|--------------:|-------------|'
    cat "$ROWS"
    if [[ -s $SKIPPED ]]; then
        echo
        cat "$SKIPPED"
    fi
}

echo
table

if $RECORD; then
    cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
    memory=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
    {
        echo "# Site build: tcpdialog, Hugo, Pelican"
        echo
        echo "Written by \`benches/site/compare.sh --record\` on $(date -u +%Y-%m-%d)."
        echo "Machine: $(nproc) cores ($cpu), $memory RAM; load average before the run: $LOAD_BEFORE."
        echo "Timings: mean ± standard deviation (and minimum) of $COLD_RUNS cold builds (output and caches removed before each)"
        echo "and $NOOP_RUNS no-op rebuilds (nothing changed), $($HAVE_HYPERFINE && echo hyperfine || echo '/usr/bin/time'); peak RSS from"
        echo "\`/usr/bin/time -v\` on one cold build. Only the tcpdialog posts carry a diagram, and the file system"
        echo "the sites are on changes the figures a lot: see README.md."
        echo
        table
    } >"$SCRIPT_DIR/RESULTS.md"
    say "wrote $SCRIPT_DIR/RESULTS.md"
fi
