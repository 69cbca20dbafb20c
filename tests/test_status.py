"""A node's state (docs/deploy.md): ``euprojects status`` and ``/api/v1/status``, on either store
(the PostgreSQL lane runs this file too); the follower that applies the store's changes."""

from __future__ import annotations

import json
import threading

from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import DATA, cli_env, settings_for
from euprojects.catalog import Catalog, SearchQuery
from euprojects.cli import cli
from euprojects.web import create_app

SEED = DATA / "keep" / "keep_api_seed.json"
MORE = DATA / "keep" / "keep_api_projects.json"


def test_a_node_without_an_index_is_not_ready_then_its_follower_builds_it(tmp_path):
    db = tmp_path / "node.db"
    with Catalog(settings_for(db)) as importer:  # the store: one import, index beside it
        importer.import_files("keep-eu", [SEED])
    # a node: the same store, an empty index folder of its own
    node = Catalog(settings_for(db, index_dir=tmp_path / "own.index", follow_seconds=0.2))
    try:
        app = create_app(node)
        # without its lifespan the app runs no follower: the node has no index, and says so
        response = TestClient(app).get("/api/v1/status")
        assert response.status_code == 503
        body = response.json()
        assert body["ready"] is False and body["reasons"] == ["no search index yet"]
        assert body["index"] is None and body["changes_behind"] is None
        assert body["store"]["last_change"] == 1 and body["last_follow"] is None
        assert TestClient(app).get("/api/v1/projects").status_code == 503
        with TestClient(app) as client:  # its follower starts with the app, builds the index
            for _ in range(100):
                response = client.get("/api/v1/status")
                if response.status_code == 200:
                    break
                threading.Event().wait(0.1)
            body = response.json()
            assert response.status_code == 200, body
            assert response.headers["cache-control"] == "no-store"
            assert body["ready"] is True and body["reasons"] == []
            assert body["index"]["projects"] == 1 and body["changes_behind"] == 0
            assert body["store"]["last_change"] == body["index"]["last_change"] == 1
            assert body["follow_seconds"] == 0.2 and body["last_follow"]["error"] is None

            # an import by another process: the node's follower applies it
            with Catalog(settings_for(db)) as importer:
                importer.import_files("keep-eu", [MORE])
            for _ in range(100):
                body = client.get("/api/v1/status").json()
                if body["index"]["last_change"] == 2:
                    break
                threading.Event().wait(0.1)
            assert body["index"]["last_change"] == body["store"]["last_change"] == 2
            assert body["changes_behind"] == 0
            total = client.get("/api/v1/projects?size=1").json()["meta"]["total"]
            assert total == node.search(SearchQuery.from_params({})).total == 1 + 3
    finally:
        node.close()


def test_status_command_says_ready_or_why_not(tmp_path):
    db = tmp_path / "s.db"
    runner = CliRunner()
    env = cli_env(db, EUPROJECTS_INDEX_DIR=str(tmp_path / "none.index"))
    with Catalog(settings_for(db)) as catalog:
        catalog.import_files("keep-eu", [SEED])
    # an index folder of its own, empty: not ready, exit 1, and nothing built by asking
    result = runner.invoke(cli, ["status"], env=env)
    assert result.exit_code == 1
    assert "ready: no: no search index yet" in result.stdout
    assert "index: none yet" in result.stdout
    assert not (tmp_path / "none.index").exists()
    # the index beside the store: ready, the same state as JSON
    result = runner.invoke(cli, ["status", "--json"], env=cli_env(db))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ready"] is True and data["changes_behind"] == 0
    assert data["index"]["last_change"] == data["store"]["last_change"] == 1
    text = runner.invoke(cli, ["status"], env=cli_env(db)).stdout
    assert text.startswith("ready: yes\n") and "behind: 0 changes" in text


def test_one_process_of_a_node_follows_at_a_time(tmp_path):
    """While another process of the node holds the follow lock (building the index, say),
    a look does nothing rather than build the same generation again."""
    import fcntl

    db = tmp_path / "n.db"
    with Catalog(settings_for(db)) as importer:
        importer.import_files("keep-eu", [SEED])
    with Catalog(settings_for(db, index_dir=tmp_path / "own.index")) as node:
        node.index.path.mkdir(parents=True)
        with (node.index.path / "follow.lock").open("a") as other:
            fcntl.flock(other, fcntl.LOCK_EX)  # the other process's hold
            node.follow_once()
            assert node.index.applied() is None and not node.status()["ready"]
        node.follow_once()  # released: this process builds it
        assert node.status()["ready"] and node.index.count() == 1
        assert node.status()["last_follow"]["error"] is None
