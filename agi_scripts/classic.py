"""Classic (process-per-call) AGI for sites that cannot run FastAGI.

    exten => s,n,AGI(/path/to/venv/bin/python,-m,agi_scripts.classic,menu)

The script name comes from the first argument (or agi_request). Each call starts a Python
process (about 0.4 s and 48 MiB), so FastAGI stays the main path.
"""

from __future__ import annotations

import io
import logging
import sys

from agi_scripts.scripts import ROUTES
from agi_scripts.session import converse


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from hotline.context import AppContext
    from agi_scripts.server import build_deps

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    rfile = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    wfile = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=True)
    try:
        deps = build_deps(AppContext.from_env())
    except Exception:  # no Redis or database: the script fails and the call falls back
        logging.getLogger("hotline.agi.classic").exception("cannot start the call handling")
        deps = None
    converse(rfile, wfile, ROUTES, deps, peer="stdin", force=argv[0] if argv else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
