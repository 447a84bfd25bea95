"""The long-running service: the Faust worker.

    app.py        settings -> the Faust app; wires topics, agents, delivery and web (start here)
    agents.py     the stages the worker runs and the one stage loop every agent uses
    delivery.py   at-least-once / exactly-once sending and acknowledging
    web.py        /metrics, /healthz (liveness), /readyz (readiness), the lag timer
    metrics.py    the Prometheus metrics (their names are a contract)
    logs.py       logging configuration (JSON or text, secrets redacted)

Faust's and aiokafka's private API is used only through :mod:`streams.kafka.internals`.
"""
