# rec.py PORT OUT: log every pub/sub message on db0 with arrival time (raw channel + data, base64 of the body decoded too)
import sys, time, json, base64, redis
r = redis.Redis(port=int(sys.argv[1]))
p = r.pubsub(); p.psubscribe('*')
out = open(sys.argv[2], 'a', buffering=1)
for m in p.listen():
    if m['type'] != 'pmessage': continue
    d = m['data']
    rec = {'t': time.time(), 'channel': m['channel'].decode(), 'raw': d.decode('utf-8', 'replace')}
    try:
        env = json.loads(d); body = base64.b64decode(env['body']); rec['body'] = json.loads(body)
    except Exception as e: rec['err'] = str(e)
    out.write(json.dumps(rec) + '\n')
