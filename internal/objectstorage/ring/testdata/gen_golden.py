"""Writes golden.json: a ring built by Swift's own RingBuilder, with the
partitions and handoff orders Swift's Ring computes for it. Run with a
checkout of Swift on PYTHONPATH (PBR_VERSION=1 python3 gen_golden.py);
ring_test.go checks our Ring against the file."""
import json
import tempfile

from swift.common import utils
from swift.common.ring import RingBuilder, Ring

utils.HASH_PATH_PREFIX = b'pre'
utils.HASH_PATH_SUFFIX = b'suf'

rb = RingBuilder(8, 3, 1)
devs = []
i = 0
for region in (1, 2):
    for zone in (1, 2, 3):
        for node in (1, 2):
            for disk in ('sda', 'sdb'):
                ip = '10.%d.%d.%d' % (region, zone, node)
                dev = {'id': i, 'region': region, 'zone': zone, 'ip': ip,
                       'port': 6200, 'device': disk,
                       'weight': 100.0 if region == 1 else 50.0,
                       'replication_ip': ip, 'replication_port': 6200,
                       'meta': ''}
                rb.add_dev(dict(dev))
                devs.append(dev)
                i += 1
rb.rebalance(seed=42)
with tempfile.TemporaryDirectory() as d:
    path = d + '/object.ring.gz'
    rb.get_ring().save(path)
    ring = Ring(path)
    out = {
        'part_power': 8,
        'replicas': 3,
        'devs': devs,
        'replica2part2dev': [list(a) for a in rb._replica2part2dev],
        'parts': {},
        'handoffs': {},
    }
    for name in [('AUTH_test',), ('AUTH_test', 'c'), ('AUTH_test', 'c', 'o'),
                 ('AUTH_test', 'c', 'é/ü'), ('a', 'b', 'c' * 300)]:
        out['parts']['/'.join(name)] = ring.get_part(*name)
    for part in (0, 1, 17, 128, 255):
        out['handoffs'][str(part)] = [d['id'] for d in ring.get_more_nodes(part)]
print(json.dumps(out))
