"""The media-library page in a real browser (Debian's Chromium, headless), used as a person would, against the
running local stack: type the key, click folders and files, search, upload, delete, read what is shown.

Every visit also checks what the page did behind the scenes: no request to any origin but the stack's (its
API and, for the files' presigned urls, its S3), no key in any URL, no script error, and no failed request
the test did not provoke.
"""
from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect

from imagemeta import extract, phash_distance

from ..browser import DESKTOP, PHONE, chromium
from ..paths import IMAGES
from .local_stack import LocalStack, wait_until

pytestmark = pytest.mark.integration

# The similar search scans moto's table once per index Query: seconds on a busy machine.
expect.set_options(timeout=20_000)

BEACH = IMAGES / "phash-vectors" / "first.jpg"
BEACH_COPY = IMAGES / "phash-vectors" / "first-slightly-different.jpg"  # 8 bits from BEACH: a near-duplicate
TUSCANY = IMAGES / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg"  # GPS 43.46745, 11.88513; a NIKON
CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
SMALL_PNG = IMAGES / "formats" / "png-rgb.png"
MANY = 25  # one page and one more file (24 a page)
# Chromium logs every answer of 400 or more as a console error; a test that provokes one says which.
HTTP_ERROR_LOG = "Failed to load resource: the server responded with a status of {status}"


@dataclass(frozen=True)
class Library:
    """The files the tests browse, in a folder of their own (other tests share the stack)."""

    root: str  # "page-1a2b3c4d"

    def path(self, key: str) -> str:
        return f"/{self.root}/{key}"


@dataclass
class Visit:
    """One browser tab on the page, and what it did."""

    page: Page
    key: str
    allowed_origins: set[str]
    requests: list[Request] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    provoked: set[int] = field(default_factory=set)

    def provoke(self, status: int) -> None:
        """The test makes the service answer `status` on purpose: Chromium's log line for it is expected."""
        self.provoked.add(status)

    def unexpected_console_errors(self) -> list[str]:
        allowed = {HTTP_ERROR_LOG.format(status=status) for status in self.provoked}
        return [text for text in self.console_errors if not any(text.startswith(line) for line in allowed)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def library(local_stack: LocalStack) -> Library:
    """A folder with a near-duplicate pair, a photo with GPS, one with tags and custom metadata, a non-image,
    a file to delete, a folder to upload into, and one of more files than a page holds; all ingested."""
    root = f"page-{uuid.uuid4().hex[:8]}"
    s3 = local_stack.s3()
    objects: dict[str, dict[str, Any]] = {
        "holiday/beach.jpg": {"Body": BEACH.read_bytes()},
        "holiday/beach-copy.jpg": {"Body": BEACH_COPY.read_bytes()},
        "holiday/tuscany.jpg": {"Body": TUSCANY.read_bytes()},
        "cameras/Canon 40D.jpg": {"Body": CANON.read_bytes(), "Tagging": "trip=2026&favourite",
                                  "Metadata": {"photographer": "Ada"}},
        "notes.txt": {"Body": b"a note, no picture", "ContentType": "text/plain"},
        "trash/old.png": {"Body": SMALL_PNG.read_bytes()},
        "uploads/first.png": {"Body": SMALL_PNG.read_bytes()},
        **{f"many/note-{n:02}.txt": {"Body": f"note {n}".encode(), "ContentType": "text/plain"} for n in range(MANY)},
    }
    for key, put in objects.items():
        s3.put_object(Bucket=local_stack.bucket, Key=f"{root}/{key}", **put)
    for key in objects:
        assert wait_for_file(local_stack, f"/{root}/{key}", present=True, seconds=30)
    return Library(root)


@pytest.fixture(scope="module")
def page_key(local_stack: LocalStack) -> str:
    """A key of the page tests' own (one test revokes a key; the stack's first key serves the other tests)."""
    return local_stack.keys("create", "--name", f"page-{uuid.uuid4().hex[:6]}").strip()


@pytest.fixture
def visit(request: pytest.FixtureRequest, browser: Browser, local_stack: LocalStack, page_key: str) -> Iterator[Visit]:
    """A fresh tab (desktop, or the device a test asks for with indirect parametrization) on the page."""
    context = browser.new_context(**getattr(request, "param", DESKTOP))
    page = context.new_page()
    page.set_default_timeout(20_000)
    # The API, and where files are served: the distributions, and the S3 of presigned urls.
    origins = {origin(url) for url in (local_stack.api_url, local_stack.aws_endpoint, local_stack.delivery_url,
                                       local_stack.signed_delivery_url)}
    visit = Visit(page, page_key, origins)
    page.on("request", lambda sent: visit.requests.append(sent))
    page.on("console", lambda message: record_console_error(visit, message))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.goto(local_stack.api_url + "/")
    yield visit
    context.close()
    assert visit.page_errors == [], "the page's scripts failed"
    assert visit.unexpected_console_errors() == []
    elsewhere = [r.url for r in visit.requests if r.url.split(":")[0] in ("http", "https") and origin(r.url) not in origins]
    assert elsewhere == [], "the page asked another origin than the stack's"
    assert not [r.url for r in visit.requests if visit.key in r.url or local_stack.private_key in r.url]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def record_console_error(visit: Visit, message: ConsoleMessage) -> None:
    if message.type == "error":
        visit.console_errors.append(message.text)


def sign_in(visit: Visit) -> None:
    visit.page.get_by_label("Private key").fill(visit.key)
    visit.page.get_by_label("Private key").press("Enter")
    expect(visit.page.get_by_role("button", name="All files", exact=True)).to_be_visible()


def signed_in_at(visit: Visit, *folder: str) -> Page:
    """The page after signing in and opening a folder (its path's names)."""
    sign_in(visit)
    open_folder(visit.page, *folder)
    return visit.page


def open_folder(page: Page, *names: str) -> None:
    """Click through the tree as a person reads it: each folder among the sub-folders of the one before (other
    tests' folders may have the same names elsewhere), opening each, then show the last one's files."""
    item = page.locator("#tree > li")  # All files
    for name in names:
        if item.locator("xpath=./button[contains(@class, 'toggle')]").get_attribute("aria-expanded") != "true":
            item.locator("xpath=./button[contains(@class, 'toggle')]").click()
        item = item.locator(f"xpath=./ul/li[button[@class='folder' and normalize-space()='{name}']]")
    item.locator("xpath=./button[@class='folder']").click()
    expect(page.locator("#files-heading")).to_have_text(f"/{'/'.join(names)}/")


def tile(page: Page, name: str) -> Any:
    return page.locator(".tile", has=page.locator(".name", has_text=name))


def details_section(page: Page, title: str) -> Any:
    return page.locator("#details section", has=page.get_by_role("heading", name=title, exact=True))


def shown_value(scope: Any, name: str) -> Any:
    """The value a definition list shows for `name` (the first such list in `scope`)."""
    return scope.locator(f"xpath=.//dt[normalize-space()='{name}']/following-sibling::dd[1]").first


def file_id(local_stack: LocalStack, file_path: str) -> str:
    return hashlib.sha256(f"{local_stack.bucket}{file_path}".encode()).hexdigest()[:24]


def wait_for_file(local_stack: LocalStack, file_path: str, present: bool, seconds: float = 5.0) -> dict[str, Any] | None:
    """The File object at a path once the ingest has it (present) or once it is gone; None if it never came to be."""
    answer, _ = wait_until(lambda: local_stack.get(f"/v1/files/{file_id(local_stack, file_path)}/details"),
                           lambda response: response.status_code == (200 if present else 404), seconds)
    return answer.json() if answer.status_code == (200 if present else 404) else None


# ------------------------------------------------------------------ the key


def test_a_wrong_key_is_refused_with_a_message(visit: Visit) -> None:
    visit.provoke(401)
    page = visit.page

    page.get_by_label("Private key").fill("private_not-a-key-of-this-stack")
    page.get_by_role("button", name="Open").click()

    expect(page.get_by_role("alert")).to_have_text("The key was refused. Check it and try again.")
    expect(page.get_by_label("Private key")).to_be_focused()
    expect(page.locator("#library")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_the_key_is_kept_for_the_tab_only_and_sent_as_http_basic(visit: Visit) -> None:
    sign_in(visit)

    page = visit.page
    assert page.evaluate("sessionStorage.getItem('imagemeta.privateKey')") == visit.key
    assert page.evaluate("localStorage.length") == 0 and page.evaluate("document.cookie") == ""
    expected = "Basic " + base64.b64encode(f"{visit.key}:".encode()).decode()
    api_calls = [r for r in visit.requests if "/v1/files" in r.url]
    assert api_calls and all(r.all_headers().get("authorization") == expected for r in api_calls)
    # A reload in the same tab keeps the library open without asking again.
    page.reload()
    expect(page.get_by_role("button", name="All files", exact=True)).to_be_visible()
    page.get_by_role("button", name="Forget the key").click()
    expect(page.get_by_label("Private key")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_an_expired_session_returns_to_the_key_form_with_a_message(visit: Visit, local_stack: LocalStack,
                                                                    library: Library) -> None:
    visit.provoke(401)
    name = f"page-revoked-{uuid.uuid4().hex[:6]}"
    visit.key = local_stack.keys("create", "--name", name).strip()
    sign_in(visit)
    (key_id,) = [line.split()[0] for line in local_stack.keys("list").splitlines() if f" {name} " in f" {line} "]
    local_stack.keys("revoke", key_id)

    visit.page.get_by_role("button", name=library.root, exact=True).click()

    expect(visit.page.get_by_role("alert")).to_have_text(
        "The key is no longer accepted (revoked or expired). Type a valid key to go on.")
    expect(visit.page.get_by_label("Private key")).to_be_visible()


# ------------------------------------------------------------------ browsing


def test_a_folder_shows_its_files_with_pictures_and_an_icon_for_other_files(visit: Visit, local_stack: LocalStack,
                                                                             library: Library) -> None:
    sign_in(visit)
    page = visit.page

    open_folder(page, library.root)
    expect(tile(page, "notes.txt")).to_be_visible()
    assert tile(page, "notes.txt").locator("img").get_attribute("src") == "web/file.svg"

    open_folder(page, library.root, "holiday")
    expect(page.locator("#grid .tile")).to_have_count(3)
    expect(page.locator("#grid .name")).to_have_text(["beach-copy.jpg", "beach.jpg", "tuscany.jpg"])
    for picture in page.locator("#grid img").all():
        # The File object's thumbnail, served by the stack's distribution.
        assert picture.get_attribute("src").startswith(f"{local_stack.delivery_url}/_imagemeta/thumbnails/")
        expect(picture).to_have_js_property("complete", True)
        assert picture.evaluate("image => image.naturalWidth") > 0


def test_a_folder_of_more_files_than_a_page_is_paged(visit: Visit, library: Library) -> None:
    page = signed_in_at(visit, library.root, "many")

    expect(page.locator("#grid .tile")).to_have_count(24)
    expect(page.locator("#page-number")).to_have_text("Page 1")
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#grid .name")).to_have_text([f"note-{MANY - 1:02}.txt"])
    expect(page.locator("#page-number")).to_have_text("Page 2")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    expect(page.locator("#grid .tile")).to_have_count(24)


def test_a_file_s_details_show_its_metadata_url_and_near_duplicates_to_follow(visit: Visit, local_stack: LocalStack,
                                                                              library: Library) -> None:
    page = signed_in_at(visit, library.root, "holiday")

    tile(page, "beach.jpg").click()

    details = page.locator("#details")
    expect(details.get_by_role("heading", level=2)).to_have_text("beach.jpg")
    expect(details.locator(".path")).to_have_text(library.path("holiday/beach.jpg"))
    metadata = details_section(page, "Metadata")
    beach = extract(BEACH)
    expect(shown_value(metadata, "pHash")).to_have_text(beach["pHash"])
    expect(shown_value(metadata, "width")).to_have_text(str(beach["width"]))
    link = details.get_by_role("link", name="Open the file")
    assert link.get_attribute("href") == f"{local_stack.delivery_url}/{library.root}/holiday/beach.jpg"
    assert link.get_attribute("rel") == "noopener noreferrer"

    copy_path = library.path("holiday/beach-copy.jpg")
    near = details_section(page, "Near-duplicates").get_by_role("button", name=copy_path)
    distance = phash_distance(beach["pHash"], extract(BEACH_COPY)["pHash"])
    expect(near).to_contain_text(f"distance {distance}")
    near.click()

    expect(details.get_by_role("heading", level=2)).to_have_text("beach-copy.jpg")
    expect(details.locator(".path")).to_have_text(copy_path)


def test_embedded_gps_is_a_link_to_a_map(visit: Visit, library: Library) -> None:
    page = signed_in_at(visit, library.root, "holiday")

    tile(page, "tuscany.jpg").click()

    embedded = details_section(page, "Embedded metadata")
    map_link = embedded.get_by_role("link", name="Show 43.46745, 11.88513 on a map")
    assert map_link.get_attribute("href").startswith("https://www.openstreetmap.org/?mlat=43.4674483333333&mlon=11.8851266666639")
    assert (map_link.get_attribute("target"), map_link.get_attribute("rel")) == ("_blank", "noopener noreferrer")
    expect(shown_value(embedded, "Make")).to_have_text("NIKON")
    embedded.locator("summary").click()  # every field, one click away
    expect(shown_value(embedded.locator("details"), "GPSLatitude")).to_have_text("43.4674483333333")


def test_tags_and_custom_metadata_are_shown(visit: Visit, library: Library) -> None:
    page = signed_in_at(visit, library.root, "cameras")

    tile(page, "Canon 40D.jpg").click()

    expect(page.get_by_label("Tags, separated by commas")).to_have_value("trip=2026, favourite")
    expect(page.get_by_label("Value of photographer")).to_have_value("Ada")


def defined_fields(local_stack: LocalStack, *names: str) -> None:
    """Text custom metadata fields of these names, as the library's owner defines them (an edit may give values
    only of defined fields, as in the hosted API)."""
    known = {field["name"] for field in local_stack.get("/v1/customMetadataFields").json()}
    for name in set(names) - known:
        made = local_stack.post("/v1/customMetadataFields",
                                json={"name": name, "label": name.title(), "schema": {"type": "Text"}})
        assert made.status_code == 201, made.text


def test_tags_and_custom_metadata_are_edited_and_saved(visit: Visit, local_stack: LocalStack, library: Library) -> None:
    defined_fields(local_stack, "photographer", "camera")
    page = signed_in_at(visit, library.root, "cameras")
    tile(page, "Canon 40D.jpg").click()

    page.get_by_label("Tags, separated by commas").fill("trip=2026, favourite, edited")
    page.get_by_label("Value of photographer").fill("Grace")
    page.get_by_role("button", name="Add a field").click()
    page.get_by_label("Field name").last.fill("camera")
    page.get_by_label("Field value").fill("40D")
    page.get_by_role("button", name="Save").click()

    expect(details_section(page, "Tags and custom metadata").get_by_role("status")).to_have_text("Saved.")
    # The form shows the File object the service answered...
    expect(page.get_by_label("Tags, separated by commas")).to_have_value("trip=2026, favourite, edited")
    expect(page.get_by_label("Value of photographer")).to_have_value("Grace")
    expect(page.get_by_label("Value of camera")).to_have_value("40D")
    # ...and the library keeps it (the record may follow the object through the ingest).
    details = f"/v1/files/{file_id(local_stack, library.path('cameras/Canon 40D.jpg'))}/details"
    stored, _ = wait_until(lambda: local_stack.get(details), lambda answer: "edited" in (answer.json().get("tags") or []))
    assert (stored.json()["tags"], stored.json()["customMetadata"]) == (
        ["trip=2026", "favourite", "edited"], {"photographer": "Grace", "camera": "40D"})


# ------------------------------------------------------------------ search


def test_a_search_shows_its_matches_and_a_malformed_one_the_service_s_message(visit: Visit, local_stack: LocalStack,
                                                                             library: Library) -> None:
    visit.provoke(400)
    sign_in(visit)
    page = visit.page
    search = page.get_by_role("searchbox", name="Search")

    query = f'name = "tuscany.jpg" AND path : "/{library.root}/"'
    search.fill(query)
    search.press("Enter")

    expect(page.locator("#files-heading")).to_have_text(f"Search: {query}")
    expect(page.locator("#grid .name")).to_have_text(["tuscany.jpg"])

    search.fill('name = "unclosed')
    search.press("Enter")

    refused = local_stack.get("/v1/files", params={"searchQuery": 'name = "unclosed'}).json()
    expect(page.locator("#grid-state")).to_have_text(f"The search failed: {refused['message']} {refused['help']}")
    expect(page.locator("#grid .tile")).to_have_count(0)


# ------------------------------------------------------------------ upload and delete


def test_an_upload_through_the_file_input_shows_its_progress_and_its_tile(visit: Visit, local_stack: LocalStack,
                                                                         library: Library) -> None:
    page = signed_in_at(visit, library.root, "uploads")

    page.locator("#upload-input").set_input_files(
        {"name": "from-input.jpg", "mimeType": "image/jpeg", "buffer": CANON.read_bytes()})

    row = page.locator("#uploads li", has_text="from-input.jpg")
    expect(row.locator(".state")).to_have_text("Uploaded")
    expect(row.locator("progress")).to_have_js_property("value", 100)
    expect(tile(page, "from-input.jpg")).to_be_visible()
    assert [r.method for r in visit.requests if r.url.endswith("/api/v1/files/upload")] == ["POST"]
    uploaded = wait_for_file(local_stack, library.path("uploads/from-input.jpg"), present=True)
    assert uploaded and uploaded["size"] == CANON.stat().st_size


def test_a_file_dropped_on_the_files_is_uploaded(visit: Visit, local_stack: LocalStack, library: Library) -> None:
    page = signed_in_at(visit, library.root, "uploads")

    # What a drag from the desktop delivers: a DataTransfer holding the file, over the files, then dropped.
    page.locator("#files").evaluate("""(files, data) => {
        const transfer = new DataTransfer();
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
        for (const type of ["dragenter", "dragover", "drop"]) {
          files.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
    }""", base64.b64encode(SMALL_PNG.read_bytes()).decode())

    expect(page.locator("#uploads li", has_text="dropped.png").locator(".state")).to_have_text("Uploaded")
    expect(tile(page, "dropped.png")).to_be_visible()
    dropped = wait_for_file(local_stack, library.path("uploads/dropped.png"), present=True)
    assert dropped and dropped["size"] == SMALL_PNG.stat().st_size


def test_a_failed_upload_says_why(visit: Visit, library: Library) -> None:
    visit.provoke(409)
    page = signed_in_at(visit, library.root, "holiday")

    # The page never replaces a file: the same name again is the service's 409.
    page.locator("#upload-input").set_input_files(
        {"name": "beach.jpg", "mimeType": "image/jpeg", "buffer": SMALL_PNG.read_bytes()})

    failure = page.locator("#uploads li", has_text="beach.jpg").get_by_role("alert")
    expect(failure).to_contain_text("Failed: A file already exists at this path.")


def test_delete_asks_first_and_then_removes_the_file(visit: Visit, local_stack: LocalStack, library: Library) -> None:
    page = signed_in_at(visit, library.root, "trash")
    tile(page, "old.png").click()

    page.get_by_role("button", name="Delete this file").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Delete {library.path('trash/old.png')}? This cannot be undone.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert wait_for_file(local_stack, library.path("trash/old.png"), present=True)

    page.get_by_role("button", name="Delete this file").click()
    dialog.get_by_role("button", name="Delete").click()

    expect(tile(page, "old.png")).to_have_count(0)
    expect(page.locator("#details")).to_be_hidden()
    assert wait_for_file(local_stack, library.path("trash/old.png"), present=False)


# ------------------------------------------------------------------ keyboard and phone


def test_the_keyboard_alone_reaches_everything_with_visible_focus(visit: Visit, library: Library) -> None:
    page = visit.page
    expect(page.get_by_label("Private key")).to_be_focused()
    page.keyboard.type(visit.key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="All files", exact=True)).to_be_focused()

    focus_by_tab(page, lambda: page.evaluate("document.activeElement.textContent") == library.root)
    page.keyboard.press("Enter")
    expect(tile(page, "notes.txt")).to_be_visible()
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.classList.contains('tile')"))
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                            "getComputedStyle(document.activeElement).outlineWidth")
    assert outline.split()[0] != "none" and float(outline.split()[1].removesuffix("px")) >= 2
    opened = page.evaluate("document.activeElement.querySelector('.name').textContent")
    page.keyboard.press("Enter")

    expect(page.locator("#details-heading")).to_be_focused()
    expect(page.locator("#details-heading")).to_have_text(opened)
    page.keyboard.press("Escape")
    expect(page.locator("#details")).to_be_hidden()
    assert page.evaluate("document.activeElement.querySelector('.name').textContent") == opened


def focus_by_tab(page: Page, arrived: Any, most: int = 60) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if arrived():
            return
    raise AssertionError(f"Tab never reached it in {most} presses")


@pytest.mark.parametrize("visit", [PHONE], indirect=True, ids=["phone"])
def test_on_a_phone_everything_fits_the_screen(visit: Visit, library: Library) -> None:
    sign_in(visit)
    page = visit.page

    open_folder(page, library.root, "holiday")
    expect(page.locator("#grid .tile")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tile(page, "tuscany.jpg").tap()

    details = page.locator("#details")
    expect(details.get_by_role("heading", level=2)).to_have_text("tuscany.jpg")
    box = details.bounding_box()
    assert box is not None and (box["x"], box["width"]) == (0, 390)  # the details cover the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    details.get_by_role("button", name="Close the details").tap()
    expect(details).to_be_hidden()


# ------------------------------------------------------------------ what the stack serves and logs


def test_the_page_is_served_without_a_key_under_its_policy(local_stack: LocalStack) -> None:
    response = local_stack.get("/", auth=None)

    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = response.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert "img-src 'self' data: blob: " in policy and policy.split("img-src")[1].split(";")[0].endswith(local_stack.aws_endpoint)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_key_reaches_the_stack_s_log(local_stack: LocalStack, page_key: str) -> None:
    log = (local_stack.state_file.parent / "stack.log").read_text(encoding="utf-8", errors="replace")

    assert page_key not in log and local_stack.private_key not in log
