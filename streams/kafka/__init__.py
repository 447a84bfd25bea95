"""Kafka at the rim: the local broker, topic administration and plain clients.

Which broker runs locally is decided in :mod:`streams.kafka.broker` alone.
"""
