# ana_amqp.py: per experiment in sig_amqp.log, when each RabbitMQ-side signal showed the worker gone/back
import json, collections, sys
ev = collections.defaultdict(list)
for l in open('rec2.jsonl'):
    r = json.loads(l); b = r.get('body')
    if r['exchange'] == 'celeryev' and isinstance(b, dict):
        ev[b['hostname']].append((r['t'], b['type'], b.get('processed'), b.get('active')))
polls = [json.loads(l) for l in open('poll2.jsonl')]
exps = collections.OrderedDict()
for l in open(sys.argv[1] if len(sys.argv) > 1 else 'sig_amqp.log'):
    f = l.split()
    if len(f) < 3: continue
    t, tag, name = float(f[0]), f[1], f[2]
    e = exps.setdefault(tag, {'name': name}); e.setdefault('log', []).append((t, ' '.join(f[3:])))
for tag, e in exps.items():
    host = e['name'] + '@vm'; print('==', tag, host)
    tsig = next((t for t, w in e['log'] if w.startswith('SIG') and 'CONT' not in w), None)
    if tsig is None: continue
    tend = next((t for t, w in e['log'] if w.startswith('end')), None)
    for t, w in e['log']: print('  %+7.2f %s' % (t - tsig, w))
    hb = ev[host]
    before = [x for x in hb if x[0] <= tsig]; after = [x for x in hb if tsig < x[0] <= (tend or 1e12)]
    if before: print('  last event before signal %+.2f %s' % (before[-1][0] - tsig, before[-1][1]))
    for x in after[:3]: print('  event after signal %+.2f %s' % (x[0] - tsig, x[1]))
    if len(after) > 3: print('  ... %d events after signal up to end' % len(after))
    pq = host + '.celery.pidbox'; last = None
    for p in polls:
        if 'queues' not in p or p['t'] < tsig - 8 or (tend and p['t'] > tend + 0.5): continue
        q = [x for x in p['queues'] if x[0] == pq]
        ev_q = [x for x in p['queues'] if x[0].startswith('celeryev.')]
        s = ('pidbox queue consumers=%s' % (q[0][1] if q else 'absent'), 'celeryev queues=%s' % [x[1] for x in ev_q], 'celery consumers=%s' % [x[1] for x in p['queues'] if x[0] == 'celery'], 'connections=%d' % len(p['connections']))
        if s != last: print('  %+7.2f %s' % (p['t'] - tsig, '  '.join(s))); last = s
