"""The SECRET_KEY of an installation that does not set one: random, made once, kept in ``var/``."""

import os
import secrets
from pathlib import Path


def installation_secret_key(path: Path) -> str:
    """Return the key stored at ``path``, creating it (mode 0600) on first use.

    Web, worker and beat often start at the same moment, and they must agree on one key (sessions,
    password-reset tokens and signed values made by one are read by another). Each writes a complete
    key to a private temporary file and hard-links it into place: the link fails if the key already
    exists, so the first writer wins and no process ever reads a half-written file.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: use its key
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it and a new key is made")
    return key
