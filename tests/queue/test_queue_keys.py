"""Keys share one cluster slot per partition; every script has its KEYS/ARGV header."""

from __future__ import annotations

from redis.crc import key_slot

from callqueue.keys import TEMPLATES, Keys
from callqueue.models import AgentInfo, WaitingEntry
from callqueue.scripts import LIB_FILES, LUA_DIR


def test_every_key_of_a_partition_shares_a_slot():
    keys = Keys("hq")
    names = [keys.key(name, *["market", "guiyang"][:t.count("{}")])
             for name, (t, _meaning) in TEMPLATES.items()]
    assert len({key_slot(n.encode()) for n in names}) == 1
    assert key_slot(Keys("other").events().encode()) != key_slot(keys.events().encode())


def test_keys_written_by_a_run_are_all_in_the_partition_slot(queue):
    queue.login(AgentInfo("a", "guiyang", {"market": 1, "general": 2}))
    queue.set_ready("a")
    queue.enqueue(WaitingEntry("c1", "market", "guiyang"))
    queue.enqueue(WaitingEntry("c2", "general", "zunyi"))
    queue.accept("a", "c1")
    queue.hangup("a", "c1")
    written = list(queue.redis.scan_iter(match="*"))
    assert len(written) > 10
    assert {key_slot(k.encode()) for k in written} == {key_slot(queue.keys.events().encode())}


def test_every_script_starts_with_its_keys_and_argv_header():
    files = [p for p in LUA_DIR.glob("*.lua") if p.name not in LIB_FILES]
    assert len(files) >= 15
    for path in files:
        head = path.read_text().split("\n")
        comments = [ln for ln in head[:8] if ln.startswith("--")]
        text = "\n".join(comments)
        assert head[0].startswith(f"-- {path.stem}:"), path.name
        assert "KEYS[1]" in text and "ARGV[3" in text, path.name
        assert "hq:" not in path.read_text(), f"{path.name} spells a key; use K.* (keys.py)"
