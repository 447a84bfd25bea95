"""Kafka at the rim: connection options, topic administration and plain clients.

    client.py   aiokafka options from :class:`~streams.settings.Settings` (TLS/SASL), connection check
    topics.py   create the pipeline's topics (partitions, replication, dead-letter size limits)
    io.py       ``produce`` and the one topic reader (:class:`TopicReader`, :func:`read_topic`) used by
                ``news-streams tail``, ``bench/`` and the fault tests

The local broker launcher is dev tooling: :mod:`streams.devkit.broker`.
"""
