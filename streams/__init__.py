"""news-streams: raw news articles in Kafka -> cleaned -> entity-enriched records.

Data flows one way and the package layout follows it (``streams/README.md`` is the full map):

    ingest.py     bytes from the ``raw`` topic -> a validated ``RawArticle`` (or a reason code)
    clean/        RawArticle -> CleanedArticle          (pure, no Kafka)
    entities/     CleanedArticle -> EnrichedArticle     (pure, no Kafka)
    pipeline.py   the stages as ``payload -> record | dead letter`` functions
    service/      the Faust worker: app, agents (one stage loop), delivery, web: Kafka at the rim
    kafka/        connection options, topic admin, ``produce`` and the one topic reader
    devkit/       dev tooling only: local Kafka launcher, worker processes, ledger, file feeding
    cli/          the ``news-streams`` command
    records.py, names.py, errors.py, settings.py, ...   the shared vocabulary (see the map)
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
