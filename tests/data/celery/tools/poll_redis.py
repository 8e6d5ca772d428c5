# poll_redis.py PORT OUT: every 0.2 s, log (on change) the kombu binding sets, psub clients, unacked index, queue length
import sys, time, json, redis
r = redis.Redis(port=int(sys.argv[1]))
out = open(sys.argv[2], 'a', buffering=1)
last = None
while True:
    s = {}
    for k in (b'_kombu.binding.celery.pidbox', b'_kombu.binding.celeryev', b'_kombu.binding.reply.celery.pidbox'):
        s[k.decode()] = sorted(m.decode('utf-8','replace') for m in r.smembers(k))
    cl = r.client_list()
    s['psub_clients'] = sum(1 for c in cl if int(c.get('psub', 0)) > 0)
    s['clients'] = len(cl)
    s['numpat'] = r.pubsub_numpat()
    s['unacked_index'] = [(m.decode(), sc) for m, sc in r.zrange('unacked_index', 0, -1, withscores=True)]
    s['unacked_keys'] = sorted(k.decode() for k in r.hkeys('unacked'))
    s['llen_celery'] = r.llen('celery')
    if s != last:
        out.write(json.dumps({'t': time.time(), **s}) + '\n'); last = s
    time.sleep(0.2)
