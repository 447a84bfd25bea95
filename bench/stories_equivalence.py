"""Check that the story stage's assignments have not changed (for performance work).

    .venv/bin/python bench/stories_equivalence.py [--enriched FILE] [--replays 2] [--out FILE]
                                                  [--expect DIGEST] [--shards N]

Runs :class:`StoryIndex` over the shared Arabic corpus in published order (as ``news-streams
stories eval`` and ``bench/bench_stories.py`` do), then over ``--replays - 1`` further copies with
timestamps shifted by 18 days each (so expiry and closing stories are exercised too), writes one
JSON line per article (its id and its whole ``story`` object) to ``--out`` (default: a file in
the temporary directory, never in the repo: the corpus is research-only) and prints the SHA-256
of that file. ``--expect`` exits non-zero when the digest differs. The corpus is cleaned and
enriched first unless ``--enriched`` gives the output of ``news-streams process --no-stories``.
``--shards N`` runs the sharded stage in process instead (:class:`streams.stories.shards.ShardedStories`:
scatter, N key shards, decider, every message through JSON): the digest must be StoryIndex's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_stories import enriched_corpus, shifted  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enriched", help="enriched JSON Lines (skips cleaning and entities)")
    ap.add_argument("--replays", type=int, default=2, help="corpus copies in the stream (shifted 18 days each)")
    ap.add_argument("--out", type=Path,
                    default=Path(tempfile.gettempdir()) / f"stories-equivalence-{os.getuid()}.jsonl")
    ap.add_argument("--expect", default=None)
    ap.add_argument("--shards", type=int, default=0, help="run the sharded stage with N key shards (0: StoryIndex)")
    args = ap.parse_args()

    from streams.stories import StoryIndex
    from streams.stories.evaluate import published_order

    records = published_order(r for r in enriched_corpus(args.enriched) if r.get("published_at"))
    if args.shards:
        from streams.stories.shards import ShardedStories

        index = ShardedStories(args.shards, now=lambda: 2e9)
    else:
        index = StoryIndex(now=lambda: 2e9)  # fixed clock: "in the future" must not depend on today
    lines = []
    t0 = time.process_time()
    for replay in range(max(1, args.replays)):
        for r in (shifted(records, replay * 18) if replay else records):
            story = index.assign(r).to_dict()
            lines.append(orjson.dumps({"id": r["id"], "story": story}, option=orjson.OPT_SORT_KEYS))
    cpu = time.process_time() - t0
    sha = hashlib.sha256()
    with args.out.open("wb") as fh:
        for line in lines:
            fh.write(line + b"\n")
            sha.update(line + b"\n")
    same = args.expect is None or sha.hexdigest() == args.expect
    print(f"{sha.hexdigest()}  {args.out} ({len(lines)} articles, {cpu:.1f} s cpu)"
          + ("" if same else f"\nDIFFERENT from the expected {args.expect}"))
    sys.exit(0 if same else 1)

if __name__ == "__main__":
    main()
