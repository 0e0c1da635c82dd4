#!/bin/sh
# Runs each test program (cmocka) and ends with one summary line: "N passed, N failed".
# TEST_WRAP (for example valgrind) is put in front of every program.
passed=0
failed=0
bad=""
log=$(mktemp)
for t in "$@"; do
    echo "== $t"
    # shellcheck disable=SC2086
    $TEST_WRAP "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        bad="$bad $t"
        [ -z "$f" ] && failed=$((failed + 1))
    fi
done
rm -f "$log"
[ -n "$bad" ] && echo "failing programs:$bad"
echo "tests: $passed passed, $failed failed"
[ -z "$bad" ]
