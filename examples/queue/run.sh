#!/bin/sh
# run.sh BUILD - the queue example twice: the receiver first, then the sender first.
# Each run uses a queue named after this shell's pid, so parallel runs do not collide.
set -u
bin=$1
q="mq:/msgc-queue-$$"
status=0

# Runs "$1" in the background, then "$2" after a short pause; both must exit 0.
pair() {
    $1 & first=$!
    sleep 0.2
    $2 & second=$!
    wait $first; a=$?
    wait $second; b=$?
    if [ $a -ne 0 ] || [ $b -ne 0 ]; then
        echo "queue: FAILED (exit statuses $a and $b)"
        status=1
    fi
}

echo "-- the receiver starts first and creates $q; the sender dials it"
pair "$bin/receiver $q" "$bin/sender $q 3"
echo "-- the sender starts first and waits for $q (dial_timeout_ms); the receiver creates it"
pair "$bin/sender $q 3" "$bin/receiver $q"
exit $status
