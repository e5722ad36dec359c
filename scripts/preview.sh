#!/usr/bin/env bash
# Renders reviewed Slack payloads from fixtures/expected/ to PNG pictures of the alert, so
# people can see what lands in their channel before they deploy anything. Each payload
# becomes an HTML page that approximates Slack's Block Kit look (scripts/preview.py), and
# headless Chromium screenshots it: once to measure the message, once at its height.
#
#   scripts/preview.sh                     renders every picture in the table below
#   scripts/preview.sh docs/alert-failure.png ...   renders only those
#   scripts/preview.sh --list              prints the table
#   scripts/preview.sh --render PAYLOAD STEP OUT.png   renders any other payload, e.g.
#       --render fixtures/expected/ecs-deployment-failed-slack-injection.json - /tmp/x.png
#       --render fixtures/expected/app/refused-rewrite.json thread /tmp/thread.png
#
# Needs Debian's chromium and fonts (Lato, a colour emoji font, DejaVu): installed with
# apt-get when missing and running as root, otherwise the script says what to install.
# PREVIEW_WIDTH (CSS pixels, default 760) sets the message width; pictures are 2x that.
set -euo pipefail
CALLER_DIR=$PWD
cd "$(dirname "$0")/.."

# The pictures: output PNG, payload under fixtures/expected/, scenario step (0-based, -1 for
# the last, - for a file that is not a scenario, thread for an app-mode expectation drawn as
# the Slack thread its calls leave: the parent as last updated, then the replies; thread:N
# for the thread as it reads after step N). Adding a picture is adding a line.
PREVIEWS='
docs/alert-failure.png           scenarios/failure-with-causes.json   -1
docs/alert-rollback.png          scenarios/rollback-recovered.json    2
docs/alert-recovered.png         scenarios/rollback-recovered.json    -1
docs/thread-rollback.png         app/rollback-recovered.json          thread
docs/thread-rollback-failed.png  app/rollback-failed.json             thread
docs/alert-pause.png             ecs-hook-pause-step-1-awaiting.json           -
docs/thread-canary-pause.png     app/canary-pause-rolled-back.json    thread:2
docs/alert-buttons.png           app/pause-buttons.json               thread
'

WIDTH=${PREVIEW_WIDTH:-760}
PACKAGES="chromium fonts-lato fonts-noto-color-emoji fonts-dejavu-core"

if [[ ${1:-} == --list ]]; then
  printf '%s\n' "$PREVIEWS" | sed '/^$/d'
  exit 0
fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

find_chromium() {
  command -v chromium || command -v chromium-browser || command -v google-chrome || true
}

missing_fonts() {
  command -v fc-list >/dev/null || { echo "fonts-lato fonts-noto-color-emoji fonts-dejavu-core"; return; }
  local fonts
  fonts=$(fc-list : family)
  grep -q '^Lato' <<<"$fonts" || printf 'fonts-lato '
  grep -q 'Noto Color Emoji' <<<"$fonts" || printf 'fonts-noto-color-emoji '
  grep -q 'DejaVu Sans Mono' <<<"$fonts" || printf 'fonts-dejavu-core '
}

CHROMIUM=$(find_chromium)
NEED="$(missing_fonts)"
[[ -n $CHROMIUM ]] || NEED="chromium $NEED"
if [[ -n ${NEED// /} ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "preview: installing $NEED" >&2
    apt-get update -qq >&2
    read -ra need <<<"$NEED"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
    CHROMIUM=$(find_chromium)
  elif [[ -z $CHROMIUM ]]; then
    echo "preview: needs headless Chromium and fonts: sudo apt-get install $PACKAGES" >&2
    exit 1
  else
    echo "preview: missing fonts (pictures will look off): sudo apt-get install $NEED" >&2
  fi
fi
[[ -n $CHROMIUM ]] || { echo "preview: chromium is still missing" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Runs Chromium headless with a throw-away profile; its chatter goes to a log shown on failure.
chromium_run() {
  local profile
  profile=$(mktemp -d "$WORK/profile.XXXXXX")
  if ! timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
      --no-first-run --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=2 "$@" \
      2>"$WORK/chromium.log"; then
    echo "preview: chromium failed:" >&2
    tail -n 20 "$WORK/chromium.log" >&2
    return 1
  fi
}

render() {
  local out=$1 source=$2 step=$3 page height
  [[ -f $source ]] || source=fixtures/expected/$source
  page="$WORK/$(basename "$out" .png).html"
  python3 scripts/preview.py html "$source" "$step" "$page"
  # 1. Measure: lay the page out in a tall window; the page writes its height into the DOM.
  chromium_run --window-size="$WIDTH,4000" --dump-dom "file://$page" >"$WORK/dom.html"
  height=$(python3 scripts/preview.py height "$WORK/dom.html")
  # 2. Screenshot at exactly that height.
  mkdir -p "$(dirname "$out")"
  rm -f "$out"
  [[ $out == /* ]] || out=$PWD/$out
  chromium_run --window-size="$WIDTH,$height" --screenshot="$out" "file://$page" >/dev/null
  [[ -s $out ]] || { echo "preview: chromium wrote no $out" >&2; return 1; }
  local what="step $step"
  [[ $step != thread ]] || what="as a thread"
  [[ $step != thread:* ]] || what="as the thread after step ${step#thread:}"
  printf '%-32s %-9s %4s KB  from %s %s\n' "${out#"$PWD"/}" "$(python3 scripts/preview.py png-size "$out")" \
    "$(( ($(wc -c <"$out") + 1023) / 1024 ))" "$2" "$what"
}

if [[ ${1:-} == --render ]]; then
  (($# == 4)) || { echo "usage: scripts/preview.sh --render PAYLOAD.json STEP OUT.png" >&2; exit 2; }
  payload=$2 out=$4
  [[ $payload == /* || ! -f $CALLER_DIR/$payload ]] || payload=$CALLER_DIR/$payload
  [[ $out == /* ]] || out=$CALLER_DIR/$out
  render "$out" "$payload" "$3"
  exit 0
fi

rendered=0
while read -r out source step; do
  [[ -n ${out:-} ]] || continue
  if (($# > 0)); then
    wanted=false
    for arg in "$@"; do [[ $arg == "$out" ]] && wanted=true; done
    $wanted || continue
  fi
  render "$out" "$source" "$step"
  rendered=$((rendered + 1))
done <<<"$PREVIEWS"

if ((rendered == 0)); then
  echo "preview: nothing to render; pictures in the table:" >&2
  printf '%s\n' "$PREVIEWS" | sed '/^$/d' >&2
  exit 1
fi
