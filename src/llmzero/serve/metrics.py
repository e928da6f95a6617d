"""What the server measures, in Prometheus's text format (``GET /metrics``).

Each app has its own registry, so two servers in one process (tests) count apart.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from llmzero.serve.engine import Observer

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics(Observer):
    """The counters, gauges and histograms; the engines report into it."""

    def __init__(self):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "llmzero_requests", "HTTP requests by route and status", ["route", "status"], registry=r
        )
        self.tokens = Counter("llmzero_generated_tokens", "Tokens generated", registry=r)
        self.ttft = Histogram(
            "llmzero_time_to_first_token_seconds",
            "From a request's arrival to its first token",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.itl = Histogram(
            "llmzero_inter_token_latency_seconds",
            "Between two tokens of one request",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge("llmzero_queue_depth", "Requests waiting for a row", registry=r)
        self.batch_size = Gauge("llmzero_batch_size", "Rows in the last decode step", registry=r)
        self.batch_sizes = Histogram(
            "llmzero_batch_size_steps",
            "Rows per decode step",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=r,
        )

    # -- the engine's reports ----------------------------------------------------------------------
    def first_token(self, seconds: float) -> None:
        self.ttft.observe(seconds)

    def token(self, seconds_since_last: float | None) -> None:
        self.tokens.inc()
        if seconds_since_last is not None:
            self.itl.observe(seconds_since_last)

    def step(self, batch_size: int, waiting: int) -> None:
        self.batch_size.set(batch_size)
        self.queue_depth.set(waiting)
        if batch_size:
            self.batch_sizes.observe(batch_size)

    def text(self) -> bytes:
        return generate_latest(self.registry)
