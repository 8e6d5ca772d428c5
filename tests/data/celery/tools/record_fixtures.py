# record_fixtures.py OUTDIR REDIS_PORT HTTP_PORT: write the raw bytes of real Celery 5.2 traffic seen earlier
# (rec1.jsonl: Redis pub/sub, rec2.jsonl: RabbitMQ celeryev/celery.pidbox) and of a live ping on each broker.
import sys, os, json, time, uuid, base64, urllib.request, redis
out, rport, hport = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def w(path, data):
    with open(os.path.join(out, path), 'wb') as f: f.write(data if isinstance(data, bytes) else data.encode())
def first(recs, pred):
    return next(r for r in recs if pred(r))
r1 = [json.loads(l) for l in open('rec1.jsonl')]
body = lambda r: r.get('body') if isinstance(r.get('body'), dict) else {}
hb = first(r1, lambda r: r['channel'] == '/0.celeryev/worker.heartbeat' and body(r).get('processed', 0) == 0)
w('redis/worker-heartbeat.json', hb['raw'])
hb2 = first(r1, lambda r: r['channel'] == '/0.celeryev/worker.heartbeat' and body(r).get('active', 0) > 0)
w('redis/worker-heartbeat-busy.json', hb2['raw'])
w('redis/worker-online.json', first(r1, lambda r: r['channel'] == '/0.celeryev/worker.online')['raw'])
w('redis/worker-offline.json', first(r1, lambda r: r['channel'] == '/0.celeryev/worker.offline')['raw'])
# the ping request celery inspect ping sent (first 'ping' with a kombu delivery_tag and a non-zero expires)
# celery's own (its ticket differs from its reply key; the hand-made pings of redisping.sh use one uuid for both)
pr = [r for r in r1 if r['channel'] == '/0.celery.pidbox' and body(r).get('method') == 'ping' and body(r)['ticket'] != body(r)['reply_to']['routing_key']]
w('redis/pidbox-ping-request.json', pr[0]['raw'])
w('redis/pidbox-hello-request.json', first(r1, lambda r: r['channel'] == '/0.celery.pidbox' and body(r).get('method') == 'hello')['raw'])
# live: a ping with the request exactly as recorded (new ticket and reply key), reply read with BRPOP
c = redis.Redis(port=rport)
tick = str(uuid.uuid4()); key = tick
env = json.loads(pr[0]['raw']); b = json.loads(base64.b64decode(env['body']))
b['ticket'] = tick; b['reply_to']['routing_key'] = key
env['body'] = base64.b64encode(json.dumps(b).encode()).decode()
env['headers']['expires'] = time.time() + 1.0
env['properties']['delivery_tag'] = str(uuid.uuid4())
q = key + '.reply.celery.pidbox'; member = ('%s\x06\x16\x06\x16%s' % (key, q)).encode()
c.sadd('_kombu.binding.reply.celery.pidbox', member)
w('redis/binding-reply.celery.pidbox.bin', member)
n = c.publish('/0.celery.pidbox', json.dumps(env))
reply = c.brpop(q, 1.0)
c.srem('_kombu.binding.reply.celery.pidbox', member); c.delete(q)
w('redis/pidbox-ping-reply.json', reply[1])
for m in c.smembers('_kombu.binding.celery.pidbox'):
    if m.endswith(b'ua@vm.celery.pidbox'): w('redis/binding-celery.pidbox.bin', m)
for m in c.smembers('_kombu.binding.celeryev'):
    w('redis/binding-celeryev.bin', m); break
for m in c.smembers('_kombu.binding.celery'):
    w('redis/binding-celery.bin', m); break
# unacked: tasks prefetched by ua@vm (prefork -c 2, queue uq): 2 run (acked early), the rest wait in unacked
import tasks
for i in range(2): tasks.sleep.apply_async((6,), queue='uq')
for i in range(2): tasks.sleep_late.apply_async((6,), queue='uq')
for i in range(50):
    idx = c.zrange('unacked_index', 0, -1, withscores=True)
    if len(idx) >= 2: break
    time.sleep(0.1)
tag, score = idx[0]
w('redis/unacked-entry.json', c.hget('unacked', tag))
w('redis/unacked_index-entry.txt', '%s %r\n' % (tag.decode(), score))
print('redis: publish receivers', n, 'reply', reply is not None, 'unacked', len(idx))
# RabbitMQ
r2 = [json.loads(l) for l in open('rec2.jsonl')]
h = first(r2, lambda r: r['routing_key'] == 'worker.heartbeat')
w('rabbitmq/worker-heartbeat.body.json', h['raw'])
w('rabbitmq/worker-heartbeat.properties.json', json.dumps({k: h[k] for k in ('exchange', 'routing_key')} | h['properties'], indent=1) + '\n')
p = first(r2, lambda r: r['exchange'] == 'celery.pidbox' and (r.get('body') or {}).get('method') == 'ping' and r['body']['ticket'] != r['body']['reply_to']['routing_key'])
w('rabbitmq/pidbox-ping-request.body.json', p['raw'])
w('rabbitmq/pidbox-ping-request.properties.json', json.dumps({k: p[k] for k in ('exchange', 'routing_key')} | p['properties'], indent=1) + '\n')
auth = 'Basic ' + base64.b64encode(b'guest:guest').decode()
def api(method, path, data=None):
    req = urllib.request.Request('http://127.0.0.1:%s/api%s' % (hport, path), method=method,
                                 data=json.dumps(data).encode() if data is not None else None,
                                 headers={'Authorization': auth, 'Content-Type': 'application/json'})
    return urllib.request.urlopen(req, timeout=5).read()
tick = str(uuid.uuid4()); qn = 'vakt.ping.' + tick
api('PUT', '/queues/%2F/' + qn, {'durable': False, 'auto_delete': False, 'arguments': {'x-expires': 30000}})
api('PUT', '/exchanges/%2F/reply.celery.pidbox', {'type': 'direct', 'durable': False, 'auto_delete': False})
api('POST', '/bindings/%2F/e/reply.celery.pidbox/q/' + qn, {'routing_key': tick})
pub = {'properties': {'content_type': 'application/json', 'content_encoding': 'utf-8', 'delivery_mode': 2, 'priority': 0,
                      'headers': {'clock': 1, 'expires': time.time() + 1.0}},
       'routing_key': '', 'payload_encoding': 'string',
       'payload': json.dumps({'method': 'ping', 'arguments': {}, 'destination': None, 'pattern': None, 'matcher': None,
                              'ticket': tick, 'reply_to': {'exchange': 'reply.celery.pidbox', 'routing_key': tick}})}
w('rabbitmq/api-publish-ping.request.json', json.dumps(pub, indent=1) + '\n')
w('rabbitmq/api-publish-ping.response.json', api('POST', '/exchanges/%2F/celery.pidbox/publish', pub))
t0 = time.time(); got = b'[]'
while time.time() < t0 + 1.0:
    got = api('POST', '/queues/%2F/' + qn + '/get', {'count': 100, 'ackmode': 'ack_requeue_false', 'encoding': 'auto'})
    if got != b'[]': break
    time.sleep(0.05)
w('rabbitmq/api-get-ping-reply.response.json', got)
api('DELETE', '/queues/%2F/' + qn)
w('rabbitmq/api-queues.response.json', api('GET', '/queues/%2F?columns=name,consumers,messages,messages_ready,messages_unacknowledged,auto_delete,durable,arguments,idle_since'))
w('rabbitmq/api-consumers.response.json', api('GET', '/consumers/%2F'))
print('rabbitmq: reply', got[:80])
