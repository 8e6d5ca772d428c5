#!/bin/bash
# redisping.sh PORT [WAIT_S] [MINIMAL]: ping every Celery worker on Redis db 0 with plain redis-cli commands (what hiredis would send)
P="redis-cli -p $1"; wait=${2:-1}
id=$(cat /proc/sys/kernel/random/uuid); q=$id.reply.celery.pidbox; t0=$(date +%s.%N)
$P sadd _kombu.binding.reply.celery.pidbox "$(printf '%s\x06\x16\x06\x16%s' $id $q)" >/dev/null
exp=$(echo "$(date +%s) + $wait" | bc)
body=$(printf '{"method": "%s", "arguments": {}, "destination": null, "pattern": null, "matcher": null, "ticket": "%s", "reply_to": {"exchange": "reply.celery.pidbox", "routing_key": "%s"}}' "${METHOD:-ping}" $id $id | base64 -w0)
if [ -n "$3" ]; then
env=$(printf '{"body": "%s", "content-encoding": "utf-8", "content-type": "application/json", "headers": {}, "properties": {"body_encoding": "base64"}}' $body)
else
env=$(printf '{"body": "%s", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"clock": 1, "expires": %s}, "properties": {"delivery_mode": 2, "delivery_info": {"exchange": "celery.pidbox", "routing_key": ""}, "priority": 0, "body_encoding": "base64", "delivery_tag": "%s"}}' $body $exp $(cat /proc/sys/kernel/random/uuid))
fi
echo "PUBLISH receivers: $($P publish /0.celery.pidbox "$env")"
tp=$(date +%s.%N)
while r=$($P --raw brpop $q $wait | sed -n 2p); [ -n "$r" ]; do
  echo "+$(echo "$(date +%s.%N) - $tp" | bc)s: $r"
  echo "   body: $(echo "$r" | jq -r .body | base64 -d)"
  left=$(echo "$tp + $wait - $(date +%s.%N)" | bc); [ $(echo "$left <= 0" | bc) = 1 ] && break
done
$P srem _kombu.binding.reply.celery.pidbox "$(printf '%s\x06\x16\x06\x16%s' $id $q)" >/dev/null; $P del $q >/dev/null
echo "total $(echo "$(date +%s.%N) - $t0" | bc)"
