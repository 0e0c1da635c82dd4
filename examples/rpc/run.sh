#!/bin/sh
# run.sh BUILD - one kv_server, four kv_client processes calling it at the same time,
# then the server's counters, then SIGTERM to the server. The socket is named after
# this shell's pid, so parallel runs do not collide; it must be gone at the end.
set -u
bin=$1
sock="/tmp/msgc-kv-$$.sock"
url="unix:$sock"
status=0

$bin/kv_server "$url" & server=$!
trap 'kill -TERM $server 2>/dev/null' EXIT
clients=""
for id in 1 2 3 4; do
    $bin/kv_client "$url" $id 500 & clients="$clients $!"
done
for pid in $clients; do
    wait $pid || status=1
done
$bin/kv_client "$url" stats || status=1
kill -TERM $server
wait $server || status=1
trap - EXIT
if [ -e "$sock" ]; then
    echo "rpc: FAILED: $sock left behind"
    rm -f "$sock"
    status=1
fi
[ $status -eq 0 ] || echo "rpc: FAILED"
exit $status
