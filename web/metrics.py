"""Prometheus metrics collected from the live board at scrape time, on a per-app registry.

Every configured line x site (and state x site) is present from start-up, 0 when idle.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from web.live import AGENT_STATES


class BoardCollector:
    def __init__(self, board_source, cfg):
        self.board, self.cfg = board_source, cfg

    def collect(self):
        board = self.board.get()
        waiting = GaugeMetricFamily("hotline_queue_waiting", "Callers waiting now",
                                    labels=["line", "site"])
        longest = GaugeMetricFamily("hotline_queue_longest_wait_seconds",
                                    "Longest current wait", labels=["line", "site"])
        counters = {k: CounterMetricFamily(f"hotline_calls_{k}", f"Calls {k} today",
                                           labels=["line", "site"])
                    for k in ("offered", "answered", "abandoned")}
        for row in board["rows"]:
            labels = [row["line"], row["site"]]
            waiting.add_metric(labels, row["waiting"])
            longest.add_metric(labels, row["longest_wait"])
            for k, family in counters.items():
                family.add_metric(labels, row[k])
        agents = GaugeMetricFamily("hotline_agents", "Signed-in agents by state",
                                   labels=["state", "site"])
        counts = {(s, site): 0 for s in AGENT_STATES for site in self.cfg.sites}
        for a in board["agents"]:
            counts[(a["state"], a["site"])] = counts.get((a["state"], a["site"]), 0) + 1
        for (state, site), n in counts.items():
            agents.add_metric([state, site], n)
        yield from (waiting, longest, *counters.values(), agents)


def make_registry(board_source, cfg) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BoardCollector(board_source, cfg))
    return registry
