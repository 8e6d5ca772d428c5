#!/bin/bash
# sigexp.sh TAG NAME POOL SIGNAL LOG: start a worker NAME@vm, wait ready + 5 s, send SIGNAL, (STOP: CONT after 20 s), observe 25 s, stop it
cd "$(dirname "$0")"
tag=$1 name=$2 pool=$3 sig=$4 log=$5
/usr/bin/python3 -m celery -A tasks worker --pool $pool -c 2 -n $name@%h --loglevel INFO > w_$name.log 2>&1 &
pid=$!
for i in $(seq 300); do grep -q ' ready' w_$name.log && break; sleep 0.1; done
echo "$(date +%s.%N) $tag $name pid=$pid ready" >> $log
sleep 5
kids=$(pgrep -P $pid | tr "\n" " ")
echo "$(date +%s.%N) $tag $name SIG$sig kids=$kids" >> $log
kill -$sig $pid
if [ $sig = STOP ]; then sleep ${STOPSEC:-20}; echo "$(date +%s.%N) $tag $name SIGCONT" >> $log; kill -CONT $pid; fi
sleep 25
echo "$(date +%s.%N) $tag $name end; alive=$(kill -0 $pid 2>/dev/null && echo yes || echo no) children=$(pgrep -P $pid | tr '\n' ' ')" >> $log
kill -TERM $pid 2>/dev/null; kill -CONT $pid 2>/dev/null; wait $pid
# orphans of a killed prefork main, by pid
for k in $kids; do kill -0 $k 2>/dev/null && echo "$(date +%s.%N) $tag orphan $k still alive" >> $log; kill -KILL $k 2>/dev/null; done
