"""`python -m rapport.adapters.healthcheck [--ready]`: exit 0 when the local `rapport serve` answers.

For container health checks (the Dockerfile's HEALTHCHECK), where no curl is installed: asks
`/healthz` (or `/readyz` with `--ready`) on RAPPORT_PORT at 127.0.0.1, with a short timeout,
and exits 0 on 200, 1 otherwise, printing one line either way.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Probe the local server once; the exit code is the verdict."""
    args = sys.argv[1:] if argv is None else argv
    page = "/readyz" if "--ready" in args else "/healthz"
    port = os.environ.get("RAPPORT_PORT", "").strip() or "3000"
    url = f"http://127.0.0.1:{port}{page}"
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            body = resp.read(500).decode("utf-8", "replace")
            print(f"{page}: {resp.status} {body}")
            return 0 if resp.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(f"{page}: {exc.code} {exc.read(500).decode('utf-8', 'replace')}")
        return 1
    except (OSError, ValueError) as exc:
        print(f"{page}: unreachable ({exc})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
