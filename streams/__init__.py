"""news-streams: raw news articles in Kafka -> cleaned -> entity-enriched records.

Data flows one way and the package layout follows it:

    ingest/    bytes from the ``raw`` topic -> a validated ``RawArticle`` (or a dead letter)
    clean/     RawArticle -> CleanedArticle         (pure, no Kafka)
    entities/  CleanedArticle -> EnrichedArticle    (pure, no Kafka)
    service/   the Faust app, agents, metrics: Kafka at the rim
    kafka/     the local broker, topic admin, produce/tail helpers
    cli/       the ``news-streams`` command
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
