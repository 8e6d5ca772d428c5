# ana_redis.py: per experiment in sig_redis.log, when each Redis-side signal showed the worker gone/back
import json, re, collections
ev = collections.defaultdict(list)   # hostname -> [(t, type, processed, active)]
for l in open('rec1.jsonl'):
    r = json.loads(l); b = r.get('body')
    if isinstance(b, dict) and 'hostname' in b:
        ev[b['hostname']].append((r['t'], b['type'], b.get('processed'), b.get('active')))
polls = [json.loads(l) for l in open('poll1.jsonl')]
exps = collections.OrderedDict()
for l in open('sig_redis.log'):
    f = l.split()
    if len(f) < 3: continue
    t, tag, name = float(f[0]), f[1], f[2]
    e = exps.setdefault(tag, {'name': name}); e.setdefault('log', []).append((t, ' '.join(f[3:])))
for tag, e in exps.items():
    host = e['name'] + '@vm'; print('==', tag, host)
    tsig = next((t for t, w in e['log'] if w.startswith('SIG') and 'CONT' not in w), None)
    tcont = next((t for t, w in e['log'] if w.startswith('SIGCONT')), None)
    tend = next((t for t, w in e['log'] if w.startswith('end')), None)
    for t, w in e['log']: print('  %+7.2f %s' % (t - tsig, w))
    hb = [x for x in ev[host]]
    before = [x for x in hb if x[0] <= tsig]; after = [x for x in hb if tsig < x[0] <= (tend or 1e12)]
    if before: print('  last event before signal %+.2f %s processed=%s' % (before[-1][0] - tsig, before[-1][1], before[-1][2]))
    for x in after[:3]: print('  event after signal %+.2f %s' % (x[0] - tsig, x[1]))
    if len(after) > 3: print('  ... %d events after signal up to end' % len(after))
    key = '\u0006\u0016\u0006\u0016%s.celery.pidbox' % host
    was = None
    for p in polls:
        if p['t'] < tsig - 8 or (tend and p['t'] > tend + 0.5): continue
        now = key in p['_kombu.binding.celery.pidbox']
        if now != was:
            print('  %+7.2f pidbox binding %s  psub_clients=%d clients=%d numpat=%d' % (p['t'] - tsig, 'present' if now else 'absent', p['psub_clients'], p['clients'], p['numpat']))
            was = now
    # psub clients changes around the signal
    last = None
    for p in polls:
        if p['t'] < tsig - 1 or (tend and p['t'] > tend + 0.5): continue
        if p['psub_clients'] != last:
            print('  %+7.2f psub_clients=%d clients=%d' % (p['t'] - tsig, p['psub_clients'], p['clients'])); last = p['psub_clients']
