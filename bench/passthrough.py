"""The baseline: a bare aiokafka consume -> produce loop, no processing at all.

    .venv/bin/python -m bench.passthrough --bootstrap HOST:PORT --source T --target T --group G [--count N]

Same delivery discipline as the pipeline (acks=all; a batch's offsets are committed only once
every record produced for it is acknowledged), so the difference is what the pipeline adds. It
prints ``READY`` once it owns partitions and ``DONE <n>`` when it has forwarded ``--count``
(without ``--count``: when SIGTERM/SIGINT stops it).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.kafka.topics import DEAD_LETTER_MAX_MESSAGE_BYTES


async def run(args: argparse.Namespace) -> None:
    consumer = AIOKafkaConsumer(
        args.source, bootstrap_servers=args.bootstrap.split(","), group_id=args.group,
        enable_auto_commit=False, auto_offset_reset="earliest",
        max_partition_fetch_bytes=DEAD_LETTER_MAX_MESSAGE_BYTES,
    )
    producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap.split(","), acks="all", linger_ms=5,
                                max_request_size=DEAD_LETTER_MAX_MESSAGE_BYTES)
    await consumer.start()
    await producer.start()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)  # joins the group (nothing is there yet)
        print("READY", flush=True)
        done = 0
        deadline = time.monotonic() + args.timeout  # never outlive a benchmark that was killed
        while (not args.count or done < args.count) and time.monotonic() < deadline and not stop.is_set():
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            futures = [await producer.send(args.target, key=m.key, value=m.value)
                       for msgs in batch.values() for m in msgs]
            if futures:
                await asyncio.gather(*futures)
                await consumer.commit()
                done += len(futures)
        print(f"DONE {done}", flush=True)
    finally:
        await producer.stop()
        await consumer.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--count", type=int, default=0, help="stop after forwarding this many (default: at SIGTERM)")
    ap.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
