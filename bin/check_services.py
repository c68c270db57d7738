"""Say which service the integration tests need is down, and how to start it (exit 1)."""

import socket
import sys

SERVICES = [
    (
        "PostgreSQL",
        ("127.0.0.1", 5432),
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    (
        "Redis",
        ("127.0.0.1", 6379),
        "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no",
    ),
]


def main():
    down = []
    for name, address, start in SERVICES:
        try:
            socket.create_connection(address, timeout=2).close()
        except OSError as exc:
            down.append(f"{name} is not reachable at {address[0]}:{address[1]} ({exc}).\n  Start it with: {start}")
    if down:
        print("The test suite needs these services:\n" + "\n".join(down), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
