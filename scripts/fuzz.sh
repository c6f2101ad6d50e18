#!/usr/bin/env bash
# Runs every fuzz target for a bounded time each (default 10s). New inputs that find
# failures are kept under testdata/fuzz, where `go test` replays them from then on.
#
# Go's fuzzing coordinator sometimes cannot stop its workers before its own deadline on a
# busy machine and reports "context deadline exceeded" without any failing input. Such a
# run found nothing, so it is run once more; a real failure (a failing input written to
# testdata/fuzz) fails at once.
set -euo pipefail
fuzztime=${1:-10s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    for attempt in 1 2; do
      echo "fuzz $pkg $target for $fuzztime"
      if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" 2>&1 | tee "$out"; then
        break
      fi
      if [ "$attempt" = 2 ] || grep -q 'Failing input written to' "$out" || ! grep -q 'context deadline exceeded' "$out"; then
        exit 1
      fi
      echo "fuzz $pkg $target: the fuzzer timed out stopping its workers, with no failing input; once more"
    done
  done
done
