#!/usr/bin/env bash
# The cargo-lambda flow of docs/operations.md ("Play the sample events with cargo-lambda"), run
# as a new user runs it, to SUCCESS: `make local`, then `cargo lambda watch` with the doc's
# --env-var line, then `cargo lambda invoke` with events-local/ files; BasicUser's and
# ChannelUser's Create, Update and Delete (ChannelUser reads its password from the local Secrets
# Manager).
#
# It checks that the doc shows (and `make local` prints) the very commands run here, that
# the sink got exactly one SUCCESS per event, that Create made the user the Update and Delete
# events name, that the function warned once about cargo-lambda's fixed deadline (and so was
# started once: nothing made `watch` rebuild), and that no log shows a ResponseURL's query.
#
# Needs cargo-lambda on PATH (.ci/run installs it from PyPI). Everything listens on 127.0.0.1;
# every wait is bounded; the background processes are always stopped. Logs go to
# target/cargo-lambda-flow/, never into the crate, where `watch` would see a change and rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."

LOGS=target/cargo-lambda-flow
WATCH=(cargo lambda watch --locked --invoke-address 127.0.0.1
  --env-var AWS_ENDPOINT_URL_CONNECT=http://127.0.0.1:9010
  --env-var AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:9011
  --env-var ALLOW_LOOPBACK_RESPONSE_URL=true
  --env-var AWS_REGION=us-east-1
  --env-var AWS_ACCESS_KEY_ID=AKIDLOCALEMULATOR
  --env-var AWS_SECRET_ACCESS_KEY=local-emulator-secret)
INVOKE=(cargo lambda invoke connect-user-resource --invoke-address 127.0.0.1 --data-file)
EXAMPLES=(basic-user channel-user)

fail() {
  echo "cargo-lambda flow: $*" >&2
  for log in "$LOGS"/*.log; do
    [ -f "$log" ] && { echo "---- $log (last 60 lines)" >&2; tail -n 60 "$log" >&2; }
  done
  exit 1
}

command -v cargo-lambda >/dev/null ||
  fail "cargo-lambda is not on PATH (python3 -m pip install --no-deps 'cargo-lambda==1.9.2')"

# A shell block of the doc (or what `make local` prints) with its continued lines joined.
joined() { sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$1"; }
has_line() { joined "$2" | grep -xF -- "$1" >/dev/null; }

rm -rf "$LOGS"
mkdir -p "$LOGS"
DOC=docs/operations.md
has_line "${WATCH[*]}" "$DOC" || fail "$DOC does not show: ${WATCH[*]}"
for kind in create update delete; do
  line="${INVOKE[*]} events-local/basic-user.$kind.json"
  has_line "$line" "$DOC" || fail "$DOC does not show: $line"
done

groups=()
stop_all() {
  # Each background command leads its own process group (setsid); cargo-lambda runs the
  # function (`cargo run`) in a session of its own, so its children's groups are stopped too.
  local all=() group child
  for group in "${groups[@]}"; do
    all+=("$group")
    for child in $(ps -o pid= --ppid "$group" 2>/dev/null); do all+=("$child"); done
  done
  for group in "${all[@]}"; do kill -TERM -- "-$group" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for group in "${all[@]}"; do kill -0 -- "-$group" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.2
  done
  for group in "${all[@]}"; do kill -KILL -- "-$group" 2>/dev/null || true; done
}
trap stop_all EXIT

# Waits up to $1 seconds for `$2 ...` to succeed, failing with $3 otherwise.
wait_for() {
  local seconds=$1 what=$3 deadline
  deadline=$((SECONDS + seconds))
  until eval "$2"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what (waited ${seconds} s)"
    sleep 0.5
  done
}

started=$SECONDS
setsid make local >"$LOGS/local.log" 2>&1 &
groups+=($!)
local_group=$!
wait_for 900 "grep -q '^Ready\.' $LOGS/local.log 2>/dev/null || ! kill -0 $local_group 2>/dev/null" \
  "make local did not get ready"
grep -q '^Ready\.' "$LOGS/local.log" || fail "make local stopped"
has_line "${WATCH[*]}" "$LOGS/local.log" || fail "make local does not print: ${WATCH[*]}"
has_line "${INVOKE[*]} events-local/basic-user.create.json" "$LOGS/local.log" ||
  fail "make local does not print the invoke line"
echo "make local ready in $((SECONDS - started)) s"

# `cargo lambda watch` runs `cargo run --bin connect-user-resource`, which builds the binary
# alone: without the dev-dependencies' features that `make test` and `make demo` unify, so
# with its own build of the dependencies. Built here first, so that its cost shows apart.
started=$SECONDS
cargo build --locked --bin connect-user-resource >"$LOGS/build.log" 2>&1 ||
  fail "cargo build --bin connect-user-resource failed"
echo "the function built as cargo run builds it in $((SECONDS - started)) s"

started=$SECONDS
setsid "${WATCH[@]}" >"$LOGS/watch.log" 2>&1 &
groups+=($!)
watch_group=$!
wait_for 300 "(exec 3<>/dev/tcp/127.0.0.1/9000) 2>/dev/null || ! kill -0 $watch_group 2>/dev/null" \
  "cargo lambda watch did not listen on 127.0.0.1:9000"
kill -0 "$watch_group" 2>/dev/null || fail "cargo lambda watch stopped"

request_id() { sed -n 's/^  "RequestId": "\(.*\)",$/\1/p' "$1"; }
physical_id() { sed -n 's/^  "PhysicalResourceId": "\(.*\)",$/\1/p' "$1"; }

answers=0
for example in "${EXAMPLES[@]}"; do
  for kind in create update delete; do
    file="events-local/$example.$kind.json"
    id=$(request_id "$file")
    [ -n "$id" ] || fail "$file has no RequestId"
    out="$LOGS/invoke-$example.$kind.out"
    # The first invoke also waits for the function to start; no step waits longer.
    timeout 300 "${INVOKE[@]}" "$file" >"$out" 2>&1 || fail "$(cat "$out")"
    grep -q '"Delivered":true' "$out" || fail "the function did not deliver an answer: $(cat "$out")"
    wait_for 30 "grep -q 'RequestId $id ' $LOGS/local.log" "no answer for $file at the sink"
    lines=$(grep -c "RequestId $id " "$LOGS/local.log")
    [ "$lines" = 1 ] || fail "$file: $lines answers at the sink, not one"
    answer=$(grep "RequestId $id " "$LOGS/local.log")
    case "$answer" in
      "answer SUCCESS "*) ;;
      *) fail "$file: $answer" ;;
    esac
    if [ "$kind" = create ]; then
      expected=$(physical_id "events-local/$example.update.json")
      case "$answer" in
        *"PhysicalResourceId $expected") ;;
        *) fail "$file made another user than its Update names ($expected): $answer" ;;
      esac
    fi
    echo "$file: $answer"
    answers=$((answers + 1))
  done
done

# Each Delete left no user, and Connect started over for the next example.
wait_for 10 "[ \$(grep -c '^       no user left' $LOGS/local.log) = ${#EXAMPLES[@]} ]" \
  "Connect did not start over after each example's Delete"
# Started once, warned once: a second warning means a second process (a rebuild).
warnings=$(grep -c 'deadline_ms=600000' "$LOGS/watch.log" || true)
[ "$warnings" = 1 ] || fail "$warnings warnings about the fixed deadline in watch.log, not one"
if grep -l 'X-Amz-Signature\|X-Amz-Credential' "$LOGS"/*; then
  fail "a ResponseURL's query reached the output above"
fi
echo "cargo-lambda flow: $answers of $answers events answered SUCCESS in $((SECONDS - started)) s"
