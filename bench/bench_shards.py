"""``bench/bench_stories.py --shards N``: the sharded story stage's CPU per role, in process.

StoryIndex and the three roles (:mod:`streams.stories.shards`) run over the same articles,
interleaved article by article, so that a loaded machine slows both alike. Each role's time is
CPU time of this one thread (``time.thread_time``); the JSON encoding and decoding that Kafka
would add between the roles is timed apart (``wire``). What scales with partitions: the scatter
runs on every worker's ``enriched`` partitions, the key shards on N partitions; the decider is one
partition (its share is what a single partition must keep up with).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter

import orjson

from bench.bench_stories import enriched_corpus, shifted
from bench.common import load_avg, machine_info
from streams.devkit.local import vm_rss


def main(args) -> None:
    from streams.stories import StoryIndex
    from streams.stories.evaluate import published_order
    from streams.stories.shards import Decider, KeyShard, Scatter

    n = args.shards
    records = published_order(r for r in enriched_corpus(args.enriched) if r.get("published_at"))
    clock = time.thread_time
    now = lambda: 2e9  # noqa: E731
    index = StoryIndex(now=now)
    scatter = Scatter(n, now=now)
    shards = [KeyShard(p, StoryIndex(now=now)) for p in range(n)]
    decider = Decider(StoryIndex(now=now))
    cpu: Counter = Counter()
    shard_cpu: Counter = Counter()
    messages = nbytes = differ = 0

    def wire(msg: dict) -> dict:
        nonlocal messages, nbytes
        t0 = clock()
        raw = orjson.dumps(msg)
        out = orjson.loads(raw)
        cpu["wire"] += clock() - t0
        messages += 1
        nbytes += len(raw)
        return out

    def one(r: dict) -> None:
        nonlocal differ
        t0 = clock()
        want = index.assign(r)
        t1 = clock()
        cpu["story_index"] += t1 - t0
        s = scatter.split(r)
        cpu["scatter"] += clock() - t1
        if s.own is not None:
            got = [s.own]
        else:
            inbox = [wire(s.head)]
            for p, req in s.requests:
                req = wire(req)
                t0 = clock()
                ans = shards[p].answer(req)
                dt = clock() - t0
                cpu["shards"] += dt
                shard_cpu[p] += dt
                inbox.append(wire(ans))
            t0 = clock()
            got = [a for m in inbox for a in decider.receive(m)]
            cpu["decider"] += clock() - t0
        differ += got[-1].to_dict() != want.to_dict()

    copies = max(1, args.replays)
    sizes = []
    for copy in range(copies):
        for r in (shifted(records, copy * 18) if copy else records):
            one(r)
        if copy == 0:
            first, first_shards = dict(cpu), dict(shard_cpu)
        sizes.append({"stream_articles": len(records) * (copy + 1), "story_index": index.state_size(),
                      "decider": {**decider.index.state_size(), "pending": len(decider.pending)},
                      "shards": [s.index.state_size() for s in shards], "rss_mb": round(vm_rss(os.getpid()) / 2**20)})
    total = len(records)
    us = {k: round(v / total * 1e6) for k, v in first.items()}
    roles = us["scatter"] + us["shards"] + us["decider"]
    print(f"{n} key shards, {total:,} articles in published order (+{copies - 1} shifted copies for state), "
          f"{differ} answers different from StoryIndex")
    print(f"  CPU per article: StoryIndex {us['story_index']} us; sharded: scatter {us['scatter']} us, all shards "
          f"{us['shards']} us (busiest {max(first_shards.values()) / sum(first_shards.values()):.0%} of it), decider "
          f"{us['decider']} us, JSON between roles {us['wire']} us; roles {roles} us = "
          f"{roles / us['story_index']:.2f}x StoryIndex ({(roles + us['wire']) / us['story_index']:.2f}x with JSON)")
    print(f"  one partition's load: decider {1e6 / max(us['decider'], 1):,.0f} articles/s per core, busiest shard "
          f"{total / max(first_shards.values()):,.0f}/s (scatter: {1e6 / max(us['scatter'], 1):,.0f}/s per "
          f"enriched partition)")
    print(f"  messages per article {messages / (total * copies):.2f}, bytes per article {nbytes / (total * copies):,.0f}")
    for row in sizes:
        shard_articles = [s["articles"] for s in row["shards"]]
        print(f"  after {row['stream_articles']:>6,}: StoryIndex {row['story_index']}; decider {row['decider']}; "
              f"shards' articles {shard_articles}, keys {sum(s['keys'] for s in row['shards']):,}; RSS {row['rss_mb']} MB")
    print(json.dumps({"machine": machine_info(), "load_avg_after": load_avg(), "shards": n, "articles": total,
                      "cpu_us_per_article": us, "busiest_shard_share": max(first_shards.values()) / sum(first_shards.values()),
                      "messages_per_article": messages / (total * copies), "bytes_per_article": nbytes / (total * copies),
                      "different": differ, "state": sizes}))
