"""Outside production each installation makes its own SECRET_KEY, once, and every process uses it."""

import multiprocessing
import stat

from workflows.secret_key import installation_secret_key


def _key_in_another_process(path, start, keys):
    start.wait()
    keys.put(installation_secret_key(path))


def test_processes_starting_at_once_agree_on_one_private_random_key(tmp_path):
    path = tmp_path / "var" / "secret_key"
    context = multiprocessing.get_context("fork")
    start, keys = context.Barrier(8), context.Queue()
    processes = [context.Process(target=_key_in_another_process, args=(path, start, keys)) for _ in range(8)]
    for process in processes:
        process.start()
    found = {keys.get(timeout=30) for _ in processes}
    for process in processes:
        process.join(timeout=30)

    assert found == {path.read_text()}
    assert len(path.read_text()) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no drafts left behind


def test_each_installation_gets_its_own_key(tmp_path):
    assert installation_secret_key(tmp_path / "one") != installation_secret_key(tmp_path / "two")


def test_the_key_is_kept_across_starts(tmp_path):
    assert installation_secret_key(tmp_path / "key") == installation_secret_key(tmp_path / "key")
