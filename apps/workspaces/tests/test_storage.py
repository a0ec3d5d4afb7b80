"""The storage contract, the same on both backends."""

from pathlib import Path

import pytest

from apps.workspaces.storage import (
    KeyExistsError,
    KeyNotFoundError,
    Storage,
    UnsafeKeyError,
)

MIB = 1024 * 1024


def test_write_then_read_whole_and_ranges(storage: Storage) -> None:
    # given a file written from several chunks
    written = storage.write("holdings/demo/x.bin", [b"abc", b"", b"defgh"])

    # then it reads back whole and by inclusive byte ranges
    assert written == 8
    assert b"".join(storage.read("holdings/demo/x.bin")) == b"abcdefgh"
    assert b"".join(storage.read("holdings/demo/x.bin", 2, 4)) == b"cde"
    assert b"".join(storage.read("holdings/demo/x.bin", 5)) == b"fgh"
    entry = storage.stat("holdings/demo/x.bin")
    assert entry is not None
    assert (entry.key, entry.name, entry.is_folder, entry.size) == (
        "holdings/demo/x.bin",
        "x.bin",
        False,
        8,
    )
    assert entry.modified is not None


def test_large_write_streams_in_parts(storage: Storage) -> None:
    # given 20 MiB in 1 MiB chunks (more than one multipart part on S3)
    chunks = [bytes([index]) * MIB for index in range(20)]

    written = storage.write("users/alice/workspace/big.bin", iter(chunks))

    assert written == 20 * MIB
    assert storage.stat("users/alice/workspace/big.bin").size == 20 * MIB  # type: ignore[union-attr]
    tail = b"".join(storage.read("users/alice/workspace/big.bin", 19 * MIB - 1, 19 * MIB))
    assert tail == bytes([18, 19])


def test_failed_write_leaves_nothing_and_keeps_the_old_file(storage: Storage) -> None:
    storage.write("a/file.txt", [b"old"])

    def failing() -> object:
        yield b"x" * (9 * MIB)
        raise RuntimeError("the client went away")

    with pytest.raises(RuntimeError):
        storage.write("a/file.txt", failing())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        storage.write("a/new.txt", failing())  # type: ignore[arg-type]

    assert b"".join(storage.read("a/file.txt")) == b"old"
    assert storage.stat("a/new.txt") is None
    assert [entry.name for entry in storage.list("a/")] == ["file.txt"]


def test_folders_list_walk_and_stat(storage: Storage) -> None:
    storage.write("w/data/one.txt", [b"1"])
    storage.write("w/data/sub/two.txt", [b"22"])
    storage.make_folder("w/empty/")

    listing = storage.list("w/")
    assert [(entry.key, entry.is_folder) for entry in listing] == [
        ("w/data/", True),
        ("w/empty/", True),
    ]
    assert [entry.key for entry in storage.list("w/data/")] == ["w/data/one.txt", "w/data/sub/"]
    assert storage.list("w/empty/") == []
    assert [(entry.key, entry.size) for entry in storage.walk("w/")] == [
        ("w/data/one.txt", 1),
        ("w/data/sub/two.txt", 2),
    ]
    assert storage.stat("w/data").is_folder  # type: ignore[union-attr]
    assert storage.stat("w/data/").key == "w/data/"  # type: ignore[union-attr]
    assert storage.stat("w/data/one.txt/") is None
    assert storage.stat("w/nothing") is None
    with pytest.raises(KeyNotFoundError):
        storage.list("w/nothing/")


def test_make_folder_refuses_a_file_in_the_way(storage: Storage) -> None:
    storage.write("w/file", [b"x"])
    with pytest.raises(KeyExistsError):
        storage.make_folder("w/file/")


def test_move_file_and_folder(storage: Storage) -> None:
    storage.write("w/a/one.txt", [b"1"])
    storage.write("w/a/deep/two.txt", [b"2"])
    storage.write("w/lone.txt", [b"3"])

    storage.move("w/lone.txt", "w/b/renamed.txt")
    storage.move("w/a/", "w/c/")

    assert storage.stat("w/lone.txt") is None
    assert b"".join(storage.read("w/b/renamed.txt")) == b"3"
    assert storage.stat("w/a/") is None
    assert [entry.key for entry in storage.walk("w/c/")] == ["w/c/deep/two.txt", "w/c/one.txt"]
    with pytest.raises(KeyExistsError):
        storage.move("w/b/renamed.txt", "w/c/one.txt")
    with pytest.raises(KeyNotFoundError):
        storage.move("w/gone.txt", "w/elsewhere.txt")


def test_delete_returns_bytes_freed_and_keeps_the_parent(storage: Storage) -> None:
    storage.write("w/f/one.txt", [b"123"])
    storage.write("w/f/sub/two.txt", [b"4567"])

    assert storage.delete("w/f/sub/") == 4
    assert storage.delete("w/f/one.txt") == 3
    assert storage.delete("w/f/missing") == 0

    # the emptied folder stays, as on a filesystem (a marker on S3)
    assert storage.stat("w/f/").is_folder  # type: ignore[union-attr]
    assert storage.list("w/f/") == []
    assert list(storage.walk("w/")) == []


def test_local_file_and_put_file(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "scene.tif"
    source.write_bytes(b"II*\x00tiff")

    assert storage.put_file("holdings/demo/scene.tif", source) == 8
    with storage.local_file("holdings/demo/scene.tif") as local:
        assert local.name == "scene.tif"
        assert local.read_bytes() == b"II*\x00tiff"
    with pytest.raises(KeyNotFoundError), storage.local_file("holdings/demo/none.tif"):
        pass


@pytest.mark.parametrize("sizes", [[6 * MIB, 6 * MIB, 100], [100, 200, 300]])
def test_concatenate(storage: Storage, sizes: list[int]) -> None:
    parts = []
    for index, size in enumerate(sizes):
        storage.write(f"up/{index}", [bytes([65 + index]) * size])
        parts.append(f"up/{index}")

    assert storage.concatenate("w/joined.bin", parts) == sum(sizes)
    joined = b"".join(storage.read("w/joined.bin"))
    assert joined == b"".join(bytes([65 + index]) * size for index, size in enumerate(sizes))


@pytest.mark.parametrize("key", ["/etc/passwd", "a/../b", "../x", "a//b", "a/./b", "a\\b", "a\x00"])
def test_unsafe_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(UnsafeKeyError):
        storage.stat(key)
    with pytest.raises(UnsafeKeyError):
        storage.write(key, [b"x"])


def test_filesystem_never_follows_symbolic_links(
    backend: str, storage: Storage, tmp_path: Path
) -> None:
    if backend != "filesystem":
        pytest.skip("only a filesystem has symbolic links")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    storage.make_folder("w/")
    root = Path(storage.root)  # type: ignore[attr-defined]
    (root / "w" / "link").symlink_to(outside)
    (root / "w" / "file-link").symlink_to(outside / "secret.txt")

    assert storage.list("w/") == []
    assert list(storage.walk("w/")) == []
    for key in ("w/link/secret.txt", "w/file-link", "w/link/"):
        with pytest.raises(UnsafeKeyError):
            storage.stat(key)
    with pytest.raises(UnsafeKeyError):
        storage.write("w/link/new.txt", [b"x"])
    with pytest.raises(UnsafeKeyError):
        storage.delete("w/link")
    assert sorted(path.name for path in outside.iterdir()) == ["secret.txt"]
