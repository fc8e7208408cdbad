"""The embedded index belongs to its home: copied or restored elsewhere, it is still found."""

import shutil

from ecotone.search.backends import folder_for_database

SQLITE = "django.db.backends.sqlite3"


def folder(home, name):
    return folder_for_database(vendor="sqlite", engine=SQLITE, name=str(name), host="", home=home)


def test_a_copied_home_finds_its_own_index(tmp_path):
    first, copy = tmp_path / "var", tmp_path / "restored"
    index = folder(first, first / "ecotone.sqlite3")
    (index / "marker").parent.mkdir(parents=True)
    (index / "marker").write_text("built")
    shutil.copytree(first, copy)
    assert folder(copy, copy / "ecotone.sqlite3").name == index.name
    assert (folder(copy, copy / "ecotone.sqlite3") / "marker").read_text() == "built"


def test_an_index_named_the_old_way_is_renamed_not_rebuilt(tmp_path):
    import hashlib

    database = tmp_path / "ecotone.sqlite3"
    old_digest = hashlib.sha256(f"{SQLITE}|{database}|".encode()).hexdigest()[:12]
    older = tmp_path / "search" / f"sqlite-{old_digest}"
    older.mkdir(parents=True)
    (older / "marker").write_text("built")
    current = folder(tmp_path, database)
    assert current != older
    assert (current / "marker").read_text() == "built"
    assert not older.exists()


def test_databases_outside_the_home_keep_separate_indexes(tmp_path):
    home = tmp_path / "var"
    a = folder(home, tmp_path / "a.sqlite3")
    b = folder(home, tmp_path / "b.sqlite3")
    assert a != b
    memory = folder(home, "file:memorydb_default?mode=memory&cache=shared")
    assert memory.parent == home / "search"
