#!/usr/bin/env python3
# Medians per case over the rounds of an interleaved A/B (files <sweep>.<a|b>.<round>.json,
# `amxlab bench --out`): hot and cold time of A and B and B/A, and x oneDNN (oneDNN's
# time over the kernel's, hot) where the bench timed oneDNN. Usage: report.py DIR
import json,glob,statistics as st,sys,collections
d=sys.argv[1]
rows=collections.defaultdict(lambda: collections.defaultdict(list))
for f in sorted(glob.glob(d+'/*.json')):
    name=f.split('/')[-1]; kind,side,r,_=name.split('.')
    for c in json.load(open(f))['cases']:
        t=c['timing']; key=c['descriptor'].split(':kernel')[0]
        rows[key][side+'hot'].append(t['hot']['median_s'])
        if 'cold' in t and 'median_s' in t['cold']: rows[key][side+'cold'].append(t['cold']['median_s'])
        if 'onednn_timing' in c and 'median_s' in c['onednn_timing']: rows[key][side+'dnn'].append(c['onednn_timing']['median_s']/t['hot']['median_s'])
        rows[key]['kernel']=[c.get('kernel','')]
for k,v in rows.items():
    def m(x): return st.median(v[x])*1e6 if v[x] else float('nan')
    s=f"{k:28s} {v['kernel'][0][:24]:24s} hot A {m('ahot'):8.0f} B {m('bhot'):8.0f} B/A {m('bhot')/m('ahot'):.2f}"
    if v['acold']: s+=f" | cold A {m('acold'):8.0f} B {m('bcold'):8.0f} B/A {m('bcold')/m('acold'):.2f}"
    if v['adnn']: s+=f" | xoneDNN A {st.median(v['adnn']):.2f} B {st.median(v['bdnn']):.2f}"
    print(s)
