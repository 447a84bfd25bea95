"""``news-streams broker``: a real Kafka (KRaft) in the foreground."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

from ..devkit.broker import BrokerError, LocalKafka


@click.command()
@click.option("--port", default=9092, show_default=True, help="Client port of the first node (node i uses port+i-1).")
@click.option("--data-dir", default="var/kafka", show_default=True, type=click.Path(file_okay=False),
              help="Storage; formatted on first use and reused after.")
@click.option("--nodes", default=1, show_default=True, type=click.IntRange(1, 5),
              help="1, or 3 for a replicated cluster on loopback (fault tests).")
def broker(port: int, data_dir: str, nodes: int) -> None:
    """Start a local Apache Kafka in KRaft mode and wait until it is ready.

    Stops cleanly on Ctrl-C or SIGTERM. Kafka's jars come from Maven Central via
    deploy/kafka/pom.xml (downloaded once into ~/.m2).
    """
    kafka = LocalKafka(data_dir=Path(data_dir), port=port, nodes=nodes)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        kafka.prepare()
        kafka.start()
        kafka.wait_ready()
    except BrokerError as exc:
        kafka.stop()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Kafka ready: KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers} "
               f"(nodes: {nodes}, data: {Path(data_dir).resolve()})", err=True)
    sys.stdout.flush()
    while not stop.wait(1.0):
        dead = [n for n in range(1, nodes + 1) if n not in kafka.running()]
        if dead:
            click.echo(f"Kafka node(s) {dead} exited; see {Path(data_dir).resolve()}/node-*/kafka.log", err=True)
            kafka.stop()
            sys.exit(1)
    click.echo("stopping Kafka ...", err=True)
    kafka.stop()
    click.echo("Kafka stopped", err=True)
