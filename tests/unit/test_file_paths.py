"""Paths: the exact mapping between the hosted API's filePath/folderPath and S3 keys (docs/contract.md, Paths)."""
from __future__ import annotations

import re

import pytest

from imagemeta.errors import BadParameter
from library.paths import (
    FOLDER_NAME_KEEPS,
    MAX_KEY_BYTES,
    RENAMED_FILE_KEEPS,
    RENAMED_FOLDER_KEEPS,
    ancestor_prefixes,
    file_path,
    folder_name,
    folder_path,
    folder_prefix,
    inside,
    key_of,
    moved_key,
    name_of,
    parent_prefix,
    sanitized_name,
    upload_key,
)
from service.api.params import checked_segments
from service.api.purge_routes import purged_path
from service.storage.cdn import key_paths


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("album/x.jpg", "album/x.jpg"),
        ("/album/x.jpg", "album/x.jpg"),
        ("/album//x.jpg", "album//x.jpg"),  # a different key: S3 keeps the empty segment
        ("//album/x.jpg", "/album/x.jpg"),  # a key that itself starts with "/"
        ("x.jpg", "x.jpg"),
    ],
)
def test_one_leading_slash_is_dropped_and_nothing_else_changes(path: str, key: str) -> None:
    assert key_of(path, "path") == key


@pytest.mark.parametrize("key", ["album/x.jpg", "/album/x.jpg", "album//x.jpg", "x.jpg", "a b/ü.png"])
def test_every_key_round_trips_through_its_file_path(key: str) -> None:
    assert file_path(key) == "/" + key
    assert key_of(file_path(key), "path") == key


@pytest.mark.parametrize("path", ["", "/", "/album/"])
def test_a_file_path_must_name_a_file(path: str) -> None:
    with pytest.raises(BadParameter, match="`path`"):
        key_of(path, "path")


@pytest.mark.parametrize(
    ("path", "prefix"),
    [("/album/", "album/"), ("album", "album/"), ("/album", "album/"), ("album/", "album/"), ("/", ""), ("", ""),
     ("/a/b", "a/b/"), ("/album//", "album//")],
)
def test_folder_paths_take_optional_slashes(path: str, prefix: str) -> None:
    assert folder_prefix(path) == prefix
    assert folder_path(prefix) == "/" + prefix


def test_names_parents_and_ancestors() -> None:
    assert (name_of("a/b/c.jpg"), parent_prefix("a/b/c.jpg")) == ("c.jpg", "a/b/")
    assert (name_of("c.jpg"), parent_prefix("c.jpg")) == ("c.jpg", "")
    assert (folder_name("a/b/"), folder_name("a/"), folder_name("a//")) == ("b", "a", "")
    assert ancestor_prefixes("a/b/c.jpg") == ["a/", "a/b/"]
    assert ancestor_prefixes("c.jpg") == []
    assert ancestor_prefixes("a//c.jpg") == ["a/", "a//"]
    assert ancestor_prefixes("a/b/") == ["a/", "a/b/"]  # a folder marker counts in its own folder


def test_upload_keys_from_folder_and_file_name() -> None:
    assert upload_key("/sdk", "photo.jpg", unique=False) == "sdk/photo.jpg"
    assert upload_key("sdk/2024/", "photo.jpg", unique=False) == "sdk/2024/photo.jpg"
    assert upload_key("//a//b/", "p.jpg", unique=False) == "a/b/p.jpg"  # uploads never make empty segments
    assert upload_key("/", "p.jpg", unique=False) == "p.jpg"
    assert upload_key("", "p.jpg", unique=False) == "p.jpg"
    # The hosted rule: characters other than letters, digits, '.', '-' (and '_') become '_'.
    assert upload_key("/", "my photo (1).jpg", unique=False) == "my_photo__1_.jpg"


def test_unique_names_get_a_suffix_before_the_extension() -> None:
    first, second = (upload_key("/u", "photo.jpg", unique=True) for _ in range(2))
    assert re.fullmatch(r"u/photo_[A-Za-z0-9]{8}\.jpg", first)
    assert first != second
    assert re.fullmatch(r"README_[A-Za-z0-9]{8}", upload_key("/", "README", unique=True))
    assert re.fullmatch(r"\.hidden_[A-Za-z0-9]{8}", upload_key("/", ".hidden", unique=True))


@pytest.mark.parametrize(
    ("folder", "file_name", "named"),
    [
        ("/a b/", "p.jpg", "`folder`"),
        ("/../", "p.jpg", "`folder`"),
        ("/ok/", "", "`fileName`"),
        ("/ok/", "..", "`fileName`"),
        ("/ok/", "x" * MAX_KEY_BYTES, "1024"),
    ],
)
def test_bad_folders_and_names_are_refused(folder: str, file_name: str, named: str) -> None:
    with pytest.raises(BadParameter, match=re.escape(named)):
        upload_key(folder, file_name, unique=False)


@pytest.mark.parametrize(
    ("name", "keeps", "stored"),
    [
        ("new folder-1.x", FOLDER_NAME_KEEPS, "new_folder_1_x"),  # folderName: letters and digits only
        ("Ünïcode 写真", FOLDER_NAME_KEEPS, "Ünïcode_写真"),  # letters of every script, and marks, stay
        ("2026-final cut", RENAMED_FOLDER_KEEPS, "2026-final_cut"),  # newFolderName keeps "-"
        ("my photo (1).jpg", RENAMED_FILE_KEEPS, "my_photo__1_.jpg"),  # newFileName keeps ". _ -"
        ("a/b.jpg", RENAMED_FILE_KEEPS, "a_b.jpg"),  # a new name never makes a folder
    ],
)
def test_new_names_keep_what_the_hosted_api_keeps(name: str, keeps: str, stored: str) -> None:
    assert sanitized_name(name, keeps) == stored


def test_a_folder_is_inside_itself_and_its_ancestors_only() -> None:
    assert inside("a/b/", "a/") and inside("a/", "a/") and inside("a/b/", "")
    assert not inside("ab/", "a/") and not inside("a/", "a/b/")
    assert moved_key("a/b/x.jpg", "a/", "c/a/") == "c/a/b/x.jpg"


@pytest.mark.parametrize("key", ["a/../b", "../x", "a/./b/", ".", "_imagemeta/records/x", "_imagemeta/", "_imagemeta"])
def test_paths_that_would_not_mean_what_they_say_are_refused_naming_the_parameter(key: str) -> None:
    with pytest.raises(BadParameter, match="`sourceFilePath`"):
        checked_segments(key, "sourceFilePath", key)


@pytest.mark.parametrize("key", ["a/..b/c.jpg", "a/.hidden", "x_imagemeta/y", "a/_imagemeta/b"])
def test_names_that_only_look_like_dots_or_the_reserved_prefix_are_paths_like_any(key: str) -> None:
    checked_segments(key, "sourceFilePath", key)


def test_purges_name_paths_as_the_distribution_serves_the_keys() -> None:
    assert key_paths("photos/a b+c.jpg") == ["/photos/a%20b%2Bc.jpg*"]
    assert key_paths("photos/") == ["/photos/*"]
    assert purged_path("https://cdn.example.com/photos/a%20b.jpg?tr=w-10") == "/photos/a%20b.jpg"
    assert purged_path("https://cdn.example.com/photos/*") == "/photos/*"
    for refused in ("/photos/a.jpg", "ftp://cdn/a.jpg", "https://cdn/a*b.jpg", "https://cdn"):
        with pytest.raises(BadParameter, match="`url`"):
            purged_path(refused)
