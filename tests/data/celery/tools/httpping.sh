#!/bin/bash
# httpping.sh HTTPPORT [WAIT_S]: ping every Celery worker through the RabbitMQ management API only
H=http://127.0.0.1:$1/api; A="-u ${AUTH:-guest:guest} -s -H content-type:application/json"
wait=${2:-1}
id=$(cat /proc/sys/kernel/random/uuid); q=vakt.ping.$id; t0=$(date +%s.%N)
curl $A -o /dev/null -w 'declare queue %{http_code} %{time_total}\n' -X PUT $H/queues/%2F/$q -d '{"durable":false,"auto_delete":false,"arguments":{"x-expires":30000}}'
curl $A -o /dev/null -w 'declare reply exchange %{http_code} %{time_total}\n' -X PUT $H/exchanges/%2F/reply.celery.pidbox -d '{"type":"direct","durable":false,"auto_delete":false}'
curl $A -o /dev/null -w 'bind %{http_code} %{time_total}\n' -X POST $H/bindings/%2F/e/reply.celery.pidbox/q/$q -d "{\"routing_key\":\"$id\"}"
exp=$(echo "$(date +%s) + $wait" | bc)
body="{\"method\": \"ping\", \"arguments\": {}, \"destination\": null, \"pattern\": null, \"matcher\": null, \"ticket\": \"$id\", \"reply_to\": {\"exchange\": \"reply.celery.pidbox\", \"routing_key\": \"$id\"}}"
pub=$(jq -n --arg p "$body" --argjson e $exp '{properties:{content_type:"application/json",content_encoding:"utf-8",delivery_mode:2,priority:0,headers:{clock:1,expires:$e}},routing_key:"",payload:$p,payload_encoding:"string"}')
echo "publish: $(curl $A -w ' %{http_code} %{time_total}' -X POST $H/exchanges/%2F/celery.pidbox/publish -d "$pub")"
tp=$(date +%s.%N)
end=$(echo "$tp + $wait" | bc)
while [ $(echo "$(date +%s.%N) < $end" | bc) = 1 ]; do
  r=$(curl $A -X POST $H/queues/%2F/$q/get -d '{"count":100,"ackmode":"ack_requeue_false","encoding":"auto"}')
  if [ "$r" != "[]" ]; then echo "+$(echo "$(date +%s.%N) - $tp" | bc)s: $r"; fi
  sleep 0.05
done
curl $A -o /dev/null -w 'delete %{http_code}\n' -X DELETE $H/queues/%2F/$q
echo "total $(echo "$(date +%s.%N) - $t0" | bc)"
