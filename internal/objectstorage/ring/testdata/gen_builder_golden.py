"""Writes builder_golden.json: random clusters and the balance and dispersion
Swift's own RingBuilder reaches on them (part power 10, 3 replicas). Run
with a checkout of Swift on PYTHONPATH (PBR_VERSION=1); builder_test.go
holds our builder to the same figures."""
import random
from swift.common.ring import RingBuilder
def topo(seed):
    r = random.Random(seed)
    devs=[]
    for reg in range(1, 1+r.randint(1,2)):
        for z in range(1, 1+r.randint(1,4)):
            for s in range(1, 1+r.randint(1,3)):
                for d in range(r.randint(1,4)):
                    devs.append(dict(region=reg, zone=z, ip='10.%d.%d.%d'%(reg,z,s), port=6200, device='sd'+chr(97+d), weight=[50,100,100,200][r.randint(0,3)]))
    return devs
import json
out=[]
for seed in range(12):
    devs=topo(seed)
    if len(devs)<3: continue
    rb=RingBuilder(10,3,1)
    for d in devs: rb.add_dev(dict(d))
    rb.rebalance(seed=1)
    out.append(dict(devs=devs, balance=rb.get_balance(), dispersion=rb.dispersion))
json.dump(out, open('builder_golden.json','w'))
for o in out: print(len(o['devs']), round(o['balance'],2), round(o['dispersion'],2))
