# poll_rmq.py HTTPPORT OUT: every 0.5 s log (on change) celery queues with consumers, and connections
import sys, time, json, urllib.request, base64
auth = 'Basic ' + base64.b64encode(b'guest:guest').decode()
def get(p):
    r = urllib.request.Request('http://127.0.0.1:%s%s' % (sys.argv[1], p), headers={'Authorization': auth})
    return json.load(urllib.request.urlopen(r, timeout=5))
out = open(sys.argv[2], 'a', buffering=1); last = None
while True:
    try:
        qs = get('/api/queues?columns=name,consumers,messages,messages_unacknowledged')
        cs = get('/api/connections?columns=name,timeout,client_properties')
        s = {'queues': sorted((q['name'], q.get('consumers'), q.get('messages'), q.get('messages_unacknowledged')) for q in qs if q['name'] != 'vakt-rec'),
             'connections': sorted((c['name'], c.get('timeout')) for c in cs)}
    except Exception as e:
        s = {'err': str(e)}
    if s != last:
        out.write(json.dumps({'t': time.time(), **s}) + '\n'); last = s
    time.sleep(0.5)
