# hb.py FILE [T0 T1]: heartbeat arrivals per worker, gaps > 2.5 s
import json, sys
last = {}
for l in open(sys.argv[1]):
    r = json.loads(l); b = r.get('body') or {}
    if not isinstance(b, dict) or 'hostname' not in b: 
        print('%.3f %s %s' % (r['t'], r['channel'], json.dumps(b)[:300])); continue
    h = b['hostname']; t = r['t']
    if b.get('type') != 'worker-heartbeat' or h not in last or t - last[h] > 2.5:
        print('%.3f %-10s %-18s gap=%s active=%s processed=%s clock=%s' % (t, h, b.get('type'), round(t - last[h], 2) if h in last else '-', b.get('active'), b.get('processed'), b.get('clock')))
    last[h] = t
for h, t in last.items(): print('last', h, '%.3f' % t)
