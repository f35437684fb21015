"""scripts/backup.sh and restore.sh on a demo portal made as `make run` makes it (with a
table loaded into its DataStore), restored into a new database, DataStore database and
storage folder and served by gunicorn as ckan-web.service runs it."""
from __future__ import annotations

import dataclasses
import os
import pathlib
import shutil
import subprocess
import threading
import time
from typing import Any, Iterator

import pytest
import requests
import sqlalchemy as sa

from tests.deploy import live

# nginx's certificate in these tests is a throwaway self-signed one.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

#: Tables that must not be empty in the demo, so that "same rows" means something.
DEMO_TABLES = ("package", "resource", "opendata_governance_review",
               "opendata_governance_service", "reuse_tracker_reuse", "reuse_tracker_feedback",
               "territorial_consolidation_territory", "postgres_search_document")


@dataclasses.dataclass
class Restored:
    """The demo portal, its backup, and the copy restored from it (served on ``url``)."""

    source_ini: pathlib.Path
    source_url: str
    source_storage: pathlib.Path
    backup: pathlib.Path
    source_tables: dict[str, tuple[int, str]]
    restored_tables: dict[str, tuple[int, str]]
    url: str
    log: pathlib.Path
    webassets: pathlib.Path
    datastore_resource: str
    source_datastore: dict[str, tuple[int, str]]
    restored_datastore: dict[str, tuple[int, str]]
    restored_datastore_url: str


#: The table loaded into the demo portal's DataStore before the backup.
DATASTORE_FIELDS = [{"id": "commune", "type": "text"}, {"id": "habitants", "type": "int"},
                    {"id": "note", "type": "text"}]
DATASTORE_RECORDS = [{"commune": "Rennes", "habitants": 222485, "note": "préfecture"},
                     {"commune": "Saint-Malo", "habitants": 46803, "note": "côte d'Émeraude"},
                     {"commune": "Vitré", "habitants": 18877, "note": None}]


def _datastore_tables(db_url: str) -> dict[str, tuple[int, str]]:
    """The DataStore's resource tables (CKAN's own helpers, named _..., left out)."""
    return {name: value for name, value in live.table_fingerprints(
        live.datastore_url(db_url)).items() if not name.startswith("_")}


def _load_datastore(ini: pathlib.Path, port: int, log: pathlib.Path, source_url: str) -> str:
    """Serve the portal of ``ini`` and load a table into the DataStore of one public
    resource through the Data API, as xloader does; the resource's id."""
    engine = sa.create_engine(source_url)
    with engine.connect() as conn:
        resource_id = conn.execute(sa.text(
            "SELECT r.id FROM resource r JOIN package p ON p.id = r.package_id "
            "WHERE r.state = 'active' AND p.state = 'active' AND NOT p.private "
            "ORDER BY r.id LIMIT 1")).scalar_one()
    engine.dispose()
    token = _sysadmin_token(ini, "datastore-loader")
    for url in live.serve(ini, port, log):
        response = requests.post(
            f"{url}/api/3/action/datastore_create", headers={"Authorization": token},
            json={"resource_id": resource_id, "force": True, "fields": DATASTORE_FIELDS,
                  "records": DATASTORE_RECORDS}, timeout=120)
        assert response.ok, response.text
    return resource_id


@pytest.fixture(scope="module")
def restored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restored]:
    """A demo portal backed up, then restored into a fresh database and storage folder and
    served; everything is dropped afterwards."""
    base = live.test_database_name()
    names = (f"{base}_backup_source", f"{base}_backup_restored")
    tmp = tmp_path_factory.mktemp("deploy")
    try:
        source_url = live.fresh_database(names[0])
        source_storage = tmp / "source" / "storage"
        # One site URL for both, as a restore on a new machine keeps the portal's address
        # (the search index holds the uploaded files' URLs).
        port = live.free_port()
        source_ini = live.write_production_ini(tmp / "source.ini", source_url, source_storage,
                                               port)
        live.prepare_demo_portal(source_ini, source_url)
        resource_id = _load_datastore(source_ini, port, tmp / "source.log", source_url)
        backup = tmp / "backup"
        result = live.script("backup.sh", "-c", str(source_ini), str(backup))
        assert result.returncode == 0, result.stderr

        restored_url = live.fresh_database(names[1])
        restored_ini = live.write_production_ini(
            tmp / "restored.ini", restored_url, tmp / "restored" / "storage", port)
        result = live.script("restore.sh", "-c", str(restored_ini), str(backup))
        assert result.returncode == 0, result.stderr
        snapshot = Restored(
            source_ini=source_ini, source_url=source_url, source_storage=source_storage,
            backup=backup, source_tables=live.table_fingerprints(source_url),
            restored_tables=live.table_fingerprints(restored_url), url="",
            log=tmp / "gunicorn.log", webassets=tmp / "restored" / "webassets",
            datastore_resource=resource_id, source_datastore=_datastore_tables(source_url),
            restored_datastore=_datastore_tables(restored_url),
            restored_datastore_url=live.datastore_url(restored_url))
        for url in live.serve(restored_ini, port, snapshot.log):
            yield dataclasses.replace(snapshot, url=url)
        live.ckan(source_ini, "jobs", "clear")
    finally:
        for name in names:
            live.drop_database(name)


def _api(url: str, action: str, **params: Any) -> Any:
    response = requests.get(f"{url}/api/3/action/{action}", params=params, timeout=30)
    assert response.ok, response.text
    return response.json()["result"]


def test_backup_holds_the_database_and_the_storage(restored):
    """The backup is a pg_dump archive, the storage folder's archive and their checksums."""
    assert sorted(p.name for p in restored.backup.iterdir()) == [
        "MANIFEST", "database.dump", "datastore.dump", "storage.tar.gz"]
    assert (restored.backup / "database.dump").read_bytes()[:5] == b"PGDMP"
    assert (restored.backup / "datastore.dump").read_bytes()[:5] == b"PGDMP"


def test_restored_datastore_has_the_loaded_table(restored):
    """The DataStore database comes back with the loaded table, row for row."""
    assert restored.source_datastore[restored.datastore_resource][0] == len(DATASTORE_RECORDS)
    assert restored.restored_datastore == restored.source_datastore


def test_restored_datastore_is_readable_by_datastore_ro(restored):
    """Permissions re-applied: the read-only role reads the restored table, and the Data
    API of the restored portal (which searches as datastore_ro) answers from it."""
    read_url = sa.engine.make_url(restored.restored_datastore_url).set(
        username="datastore_ro", password=None)
    engine = sa.create_engine(read_url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text(
                f'SELECT count(*) FROM "{restored.datastore_resource}"')).scalar()
            assert count == len(DATASTORE_RECORDS)
            with pytest.raises(sa.exc.ProgrammingError):  # still read-only
                conn.execute(sa.text(
                    f'DELETE FROM "{restored.datastore_resource}"'))
    finally:
        engine.dispose()
    found = _api(restored.url, "datastore_search", resource_id=restored.datastore_resource,
                 sort="habitants desc")
    assert [{key: row[key] for key in ("commune", "habitants", "note")}
            for row in found["records"]] == DATASTORE_RECORDS
    assert found["total"] == len(DATASTORE_RECORDS)
    filtered = _api(restored.url, "datastore_search", resource_id=restored.datastore_resource,
                    q="Émeraude")
    assert [row["commune"] for row in filtered["records"]] == ["Saint-Malo"]


def test_restored_database_has_every_row_of_every_table(restored):
    """Same tables, same rows, byte for byte: datasets, resources, reviews, reuses,
    feedback, territories, the search index, harvest and consolidation state."""
    for table in DEMO_TABLES:
        assert restored.source_tables[table][0] > 0, f"{table} is empty in the demo"
    assert restored.restored_tables == restored.source_tables


def test_restored_portal_serves_every_uploaded_file(restored):
    """Through the restored portal's web app, every public dataset is found and each
    uploaded file downloads with the bytes of the original storage folder."""
    engine = sa.create_engine(restored.source_url)
    with engine.connect() as conn:
        public = conn.execute(sa.text(
            "SELECT count(*) FROM package WHERE state = 'active' AND NOT private "
            "AND type = 'dataset'")).scalar()
    engine.dispose()
    found = _api(restored.url, "package_search", rows=1000)
    assert found["count"] == public > 10
    uploads = [resource for dataset in found["results"] for resource in dataset["resources"]
               if resource.get("url_type") == "upload"]
    assert len(uploads) >= 10
    for resource in uploads:
        rid = resource["id"]
        original = restored.source_storage / "resources" / rid[:3] / rid[3:6] / rid[6:]
        response = requests.get(resource["url"], timeout=30)
        assert response.status_code == 200, resource["url"]
        assert response.content == original.read_bytes()


def test_restored_portal_shows_reuses_and_territories(restored):
    """The restored portal answers the suite's actions from the restored tables."""
    reuses = _api(restored.url, "reuse_list", limit=100)
    assert reuses["count"] > 0
    assert _api(restored.url, "territory_show", id="commune:35238")["name"] == "Rennes"


def test_access_log_shows_the_visitor_behind_the_proxy(restored):
    """gunicorn's access log names the address nginx forwards, not nginx's own."""
    requests.get(f"{restored.url}/dataset/?q=proxied", timeout=30,
                 headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    # gunicorn writes the line once the response is sent: wait for it, not for a time.
    deadline = time.monotonic() + 30
    while True:
        lines = [line for line in restored.log.read_text().splitlines()
                 if '"GET /dataset/?q=proxied ' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(lines) == 1 and lines[0].startswith("203.0.113.7 ")


def test_restore_into_a_database_that_is_not_empty_is_refused(restored):
    """Restoring over the demo portal's own database stops before writing anything."""
    before = live.table_fingerprints(restored.source_url)
    result = live.script("restore.sh", "-c", str(restored.source_ini), str(restored.backup))
    assert result.returncode == 1
    assert "the database is not empty" in result.stderr
    assert live.table_fingerprints(restored.source_url) == before


def test_a_damaged_backup_is_refused(restored, tmp_path):
    """A backup whose files no longer match their checksums is not restored."""
    damaged = tmp_path / "damaged"
    shutil.copytree(restored.backup, damaged)
    with (damaged / "database.dump").open("r+b") as dump:
        dump.truncate(1000)
    result = live.script("restore.sh", "-c", str(restored.source_ini), str(damaged))
    assert result.returncode == 1
    assert "damaged" in result.stderr


def test_restore_into_a_storage_folder_with_files_is_refused(restored, tmp_path):
    """An empty database but a storage folder already holding files: refused, nothing
    restored into the database."""
    name = f"{live.test_database_name()}_backup_empty"
    try:
        url = live.fresh_database(name)
        storage = tmp_path / "storage"
        (storage / "resources").mkdir(parents=True)
        (storage / "resources" / "left-over.csv").write_text("a,b\n")
        ini = live.write_production_ini(tmp_path / "ckan.ini", url, storage, 8080)
        result = live.script("restore.sh", "-c", str(ini), str(restored.backup))
        assert result.returncode == 1
        assert "already holds files" in result.stderr
        assert live.table_fingerprints(url) == {}
    finally:
        live.drop_database(name)


def test_restore_into_a_datastore_that_is_not_empty_is_refused(restored, tmp_path):
    """An empty database but a DataStore database already holding a table: refused before
    anything is restored."""
    name = f"{live.test_database_name()}_backup_ds_full"
    try:
        url = live.fresh_database(name)
        engine = sa.create_engine(live.datastore_url(url))
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE TABLE "left-over" (n int)'))
        engine.dispose()
        ini = live.write_production_ini(tmp_path / "ckan.ini", url, tmp_path / "storage", 8080)
        result = live.script("restore.sh", "-c", str(ini), str(restored.backup))
        assert result.returncode == 1
        assert "the DataStore database is not empty" in result.stderr
        assert live.table_fingerprints(url) == {}
    finally:
        live.drop_database(name)


def _sysadmin_token(ini: pathlib.Path, name: str = "backup-writer") -> str:
    live.ckan(ini, "user", "add", name, f"email={name}@example.org",
              "password=Writer-Password-2026")
    live.ckan(ini, "sysadmin", "add", name)
    return live.ckan(ini, "user", "token", "add", name, "writes", "-q"
                     ).stdout.strip().splitlines()[-1].strip()


class _Uploader(threading.Thread):
    """Uploads small CSV files to one dataset of a live portal until stopped."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.headers = url, {"Authorization": token}
        self.stop = threading.Event()
        self.done = 0
        self.errors: list[str] = []
        created = requests.post(f"{url}/api/3/action/package_create", headers=self.headers,
                                json={"name": "pendant-la-sauvegarde", "owner_org": "rennes",
                                      "private": True, "title": "Pendant la sauvegarde"},
                                timeout=60)
        assert created.ok, created.text
        self.package_id = created.json()["result"]["id"]

    def run(self) -> None:
        while not self.stop.is_set():
            response = requests.post(
                f"{self.url}/api/3/action/resource_create", headers=self.headers,
                data={"package_id": self.package_id, "name": f"fichier {self.done}"},
                files={"upload": (f"fichier-{self.done}.csv", f"n,valeur\n{self.done},1\n")},
                timeout=60)
            if response.ok:
                self.done += 1
            else:
                self.errors.append(response.text[:300])
                return


def test_backup_while_the_portal_takes_uploads_is_consistent(restored, tmp_path):
    """A backup taken while files are being uploaded restores a database whose every
    uploaded resource has its file in the restored storage folder."""
    port = live.free_port()
    name = f"{live.test_database_name()}_backup_live"
    for source in live.serve(restored.source_ini, port, tmp_path / "source.log"):
        uploader = _Uploader(source, _sysadmin_token(restored.source_ini))
        uploader.start()
        while uploader.done < 3 and not uploader.errors:
            time.sleep(0.1)
        result = live.script("backup.sh", "-c", str(restored.source_ini), str(tmp_path / "b"))
        during = uploader.done
        while uploader.done < during + 3 and not uploader.errors:
            time.sleep(0.1)
        uploader.stop.set()
        uploader.join()
    assert uploader.errors == []
    assert result.returncode == 0, result.stderr
    try:
        url = live.fresh_database(name)
        storage = tmp_path / "restored-storage"
        ini = live.write_production_ini(tmp_path / "ckan.ini", url, storage, port)
        assert live.script("restore.sh", "-c", str(ini), str(tmp_path / "b")).returncode == 0
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            uploads = conn.execute(sa.text(
                "SELECT id FROM resource WHERE url_type = 'upload' AND state = 'active'"
            )).scalars().all()
            taken = conn.execute(sa.text(
                "SELECT count(*) FROM resource WHERE package_id = :id"),
                {"id": uploader.package_id}).scalar()
        engine.dispose()
        missing = [rid for rid in uploads
                   if not (storage / "resources" / rid[:3] / rid[3:6] / rid[6:]).is_file()]
        assert missing == []
        assert 3 <= taken < uploader.done
    finally:
        live.drop_database(name)


@pytest.fixture(scope="module")
def nginx(restored: Restored, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """deploy/nginx/ckan.conf run by nginx on free loopback ports in front of the restored
    portal's gunicorn. nginx reaches gunicorn from 127.0.0.2, so the proxy's address and
    the visitor's (127.0.0.1) differ."""
    tmp = tmp_path_factory.mktemp("nginx")
    main = live.nginx_conf(tmp)
    http, https = live.free_port(), live.free_port()
    site = (tmp / "ckan.conf").read_text()
    site = (site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
            .replace("listen 80;", f"listen 127.0.0.1:{http};")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
            .replace("server 127.0.0.1:8000;", f"server {live.host_port(restored.url)};")
            .replace("alias /var/lib/ckan/webassets/;", f"alias {restored.webassets}/;")
            .replace("proxy_pass http://ckan_web;", "proxy_pass http://ckan_web;\n"
                     "        proxy_bind 127.0.0.2;"))
    (tmp / "ckan.conf").write_text(site)
    if os.geteuid() == 0:  # nginx's workers would run as nobody, who cannot read tmp_path
        main.write_text("user root;\n" + main.read_text())
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([binary, "-p", str(tmp), "-c", str(main), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{http}/", timeout=5, allow_redirects=False)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read()}")
                time.sleep(0.2)
        yield {"http": f"http://127.0.0.1:{http}", "https": f"https://127.0.0.1:{https}"}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_nginx_sends_http_to_https(nginx):
    """Plain HTTP is redirected to the same path over HTTPS."""
    response = requests.get(f"{nginx['http']}/dataset/", allow_redirects=False, timeout=30)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_through_nginx_the_portal_sees_the_visitor_not_a_forged_address(nginx, restored):
    """Through nginx, the access log names the visitor's own address: not nginx's
    (127.0.0.2), nor the address the visitor wrote in X-Forwarded-For."""
    response = requests.get(f"{nginx['https']}/dataset/?q=through-nginx", verify=False,
                            headers={"X-Forwarded-For": "192.0.2.66"}, timeout=60)
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while True:
        lines = [line for line in restored.log.read_text().splitlines()
                 if '"GET /dataset/?q=through-nginx ' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(lines) == 1 and lines[0].startswith("127.0.0.1 ")


def test_nginx_serves_compiled_assets_from_disk(nginx, restored):
    """A file CKAN compiled into its webassets folder comes from nginx, cached by browsers."""
    requests.get(f"{nginx['https']}/dataset/", verify=False, timeout=60)
    files = [path for path in restored.webassets.rglob("*.css") if path.is_file()]
    assert files
    relative = files[0].relative_to(restored.webassets).as_posix()
    response = requests.get(f"{nginx['https']}/webassets/{relative}", verify=False, timeout=30)
    assert response.status_code == 200
    assert response.content == files[0].read_bytes()
    assert "public" in response.headers["Cache-Control"]
    assert "Expires" in response.headers


def test_nginx_refuses_uploads_beyond_ckan_max_resource_size(nginx):
    """A body beyond client_max_body_size (= ckan.max_resource_size, 50 MB) gets nginx's
    413 before reaching CKAN; a smaller one reaches CKAN's API (which refuses it)."""
    big = requests.post(f"{nginx['https']}/api/3/action/resource_create", verify=False,
                        files={"upload": ("big.csv", b"0" * (51 * 1024 * 1024))}, timeout=120)
    assert big.status_code == 413
    small = requests.post(f"{nginx['https']}/api/3/action/resource_create", verify=False,
                          files={"upload": ("small.csv", b"a,b\n1,2\n")}, timeout=60)
    assert small.status_code in (403, 409)
    assert small.json()["success"] is False


@pytest.mark.parametrize(("status", "kept"), [(1, True), (2, False)])
def test_backup_keeps_a_storage_archive_whose_files_changed_while_read(tmp_path, status, kept):
    """GNU tar ends with status 1 when a file changed while it was read (an upload going
    on during the backup, after the database snapshot): the archive is whole and the
    backup goes on. Status 2, a fatal error, stops it. ``tar`` here is the real one,
    followed by the status a busy storage folder gives."""
    fake = tmp_path / "bin"
    fake.mkdir()
    real = shutil.which("tar")
    (fake / "tar").write_text(f'#!/bin/sh\n"{real}" "$@" || exit $?\nexit {status}\n')
    (fake / "tar").chmod(0o755)
    name = f"{live.test_database_name()}_backup_tar"
    storage = tmp_path / "storage"
    (storage / "resources").mkdir(parents=True)
    (storage / "resources" / "fichier.csv").write_text("n\n1\n")
    try:
        url = live.fresh_database(name)
        ini = live.write_production_ini(tmp_path / "ckan.ini", url, storage, 8080)
        env = {**live.clean_env(), "PATH": f"{fake}:{os.environ['PATH']}"}
        result = subprocess.run([str(live.ROOT / "scripts" / "backup.sh"), "-c", str(ini),
                                 str(tmp_path / "b")], env=env, capture_output=True,
                                text=True, timeout=300)
    finally:
        live.drop_database(name)
    assert (result.returncode == 0) is kept, result.stderr
    assert (tmp_path / "b" / "MANIFEST").exists() is kept
    assert (tmp_path / "b" / "storage.tar.gz").exists()
