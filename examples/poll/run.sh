#!/bin/sh
# run.sh BUILD - one feed_receiver on a POSIX queue, a Unix socket file and an abstract
# socket, with a feed_sender on each. Names carry this shell's pid, so parallel runs do
# not collide; the socket file must be gone at the end.
set -u
bin=$1
mq="mq:/msgc-feed-$$"
sock="/tmp/msgc-feed-$$.sock"
abstract="unix:@msgc-feed-$$"
status=0

$bin/feed_receiver "$mq" "unix:$sock" "$abstract" & receiver=$!
$bin/feed_sender "$mq" queue 4 & a=$!
$bin/feed_sender "unix:$sock" socket 4 & b=$!
$bin/feed_sender "$abstract" abstract 3 & c=$!
for pid in $a $b $c $receiver; do
    wait $pid || status=1
done
if [ -e "$sock" ]; then
    echo "poll: FAILED: $sock left behind"
    rm -f "$sock"
    status=1
fi
[ $status -eq 0 ] || echo "poll: FAILED"
exit $status
