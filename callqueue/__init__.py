"""The Redis-backed 7x24 agent queue: waiting callers, agents, offers, leases, events, stats."""
