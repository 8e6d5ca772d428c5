#!/bin/bash
# httplisten.sh HTTPPORT [SECONDS]: collect worker events from the celeryev exchange through the RabbitMQ management API only
H=http://127.0.0.1:$1/api; A="-u ${AUTH:-guest:guest} -s -H content-type:application/json"; wait=${2:-2.5}
q=vakt.events.$(cat /proc/sys/kernel/random/uuid); t0=$(date +%s.%N)
curl $A -o /dev/null -w 'declare queue %{http_code}\n' -X PUT $H/queues/%2F/$q -d '{"durable":false,"auto_delete":false,"arguments":{"x-expires":30000,"x-message-ttl":10000}}'
curl $A -o /dev/null -w 'bind %{http_code}\n' -X POST $H/bindings/%2F/e/celeryev/q/$q -d '{"routing_key":"worker.#"}'
sleep $wait
curl $A -X POST $H/queues/%2F/$q/get -d '{"count":1000,"ackmode":"ack_requeue_false","encoding":"auto","truncate":65536}' | jq -c '.[] | {routing_key, hostname: .properties.headers.hostname, p: (.payload | fromjson | {type, processed, active, freq, timestamp})}'
curl $A -o /dev/null -w 'delete %{http_code}\n' -X DELETE $H/queues/%2F/$q
echo "total $(echo "$(date +%s.%N) - $t0" | bc)"
