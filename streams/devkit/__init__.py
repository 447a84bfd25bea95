"""Developer tooling: everything that runs the pipeline *on this machine*, never in production.

    broker.py   the local Apache Kafka (KRaft) launcher behind ``news-streams broker`` and ``demo``,
                the tests and the benchmarks (Maven fetches the release named in deploy/kafka/)
    local.py    worker child processes (:class:`WorkerProcess`), the in/out :class:`Ledger`,
                environment mirroring for child processes, percentiles
    feed.py     read articles from JSON Lines / JSON / ``.txt`` files as a scraper would publish them

Run-time modules (``service``, ``pipeline``, ``clean``, ``entities``, ``kafka``) never import
this package (``tests/test_imports.py`` checks it); the CLI, ``bench/`` and ``tests/`` do.
"""
