"""A download that connects and then receives nothing gives up after the timeout and points to the
bundled digits. The "server" is a local socket that accepts and never answers: nothing leaves the machine."""

import socket
import threading
import urllib.request

import pytest

from dcgan_lessons import cli
from dcgan_lessons.course import data
from dcgan_lessons.course.data import DatasetUnavailableError, load_dataset


@pytest.fixture
def silent_server(tmp_path, monkeypatch):
    """Redirect keras.datasets' download to a local server that accepts the connection and never answers."""
    import keras.src.backend.config as keras_config
    import keras.src.utils.file_utils as file_utils

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    requested = []

    def local_only(url, filename, reporthook=None):
        requested.append(url)
        return urllib.request.urlretrieve(f"http://127.0.0.1:{port}/mnist.npz", filename, reporthook)

    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(tmp_path))  # an empty cache
    monkeypatch.setattr(file_utils, "urlretrieve", local_only)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setattr(urllib.request, "_opener", None)  # rebuilt without proxies
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT_S", 0.5)
    yield requested
    server.close()


def test_a_stalled_download_times_out_and_suggests_the_digits(silent_server):
    outcome = []

    def load():
        try:
            load_dataset("mnist")
        except Exception as error:  # noqa: BLE001 - examined below
            outcome.append(error)

    # In a thread: without the timeout the download would wait forever, and the test must fail, not hang.
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the download hung"
    assert len(outcome) == 1 and isinstance(outcome[0], DatasetUnavailableError), outcome
    assert silent_server and silent_server[0].startswith("https://")  # keras asked for the real file
    message = str(outcome[0])
    assert "no data arrived for 0.5 s" in message and "--dataset digits" in message
    assert socket.getdefaulttimeout() is None  # the process's default is restored


def test_train_reports_the_stalled_download_in_two_lines(silent_server, tmp_path, capsys):
    code = cli.main(["train", "--out", str(tmp_path / "run"), "--profile", "quick", "--dataset", "mnist"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--dataset digits" in err and "Traceback" not in err
    assert len(err.splitlines()) <= 2 and not (tmp_path / "run").exists()
