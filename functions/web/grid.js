// The grid of one folder's files, or of a search's, a page at a time. Each tile is a button that opens
// the file; its picture is the File object's thumbnail, else the image itself, else an icon.

import { describe } from "./api.js";
import { element, formatBytes } from "./dom.js";

const PAGE_SIZE = 24;
const FILE_ICON = "web/file.svg";

export class FileGrid {
  #api;
  #signedOut;
  #onOpen;
  #parts;
  #listing = { folder: "/" };
  #folder = "/";
  #page = 0;
  // Deleted here, but still listed until the ingest removes their records (within seconds).
  #deleted = new Set();
  #request = 0;

  constructor(parts, { api, onOpen, signedOut }) {
    this.#parts = parts; // {heading, grid, state, previous, next, pageNumber}
    this.#api = api;
    this.#onOpen = onOpen;
    this.#signedOut = signedOut;
    parts.previous.addEventListener("click", () => this.#load(this.#page - 1));
    parts.next.addEventListener("click", () => this.#load(this.#page + 1));
  }

  /** The folder new uploads go to: the one shown, or last shown before a search. */
  get folder() {
    return this.#folder;
  }

  showFolder(folder) {
    this.#listing = { folder };
    this.#folder = folder;
    this.#parts.heading.textContent = folder;
    return this.#load(0);
  }

  showSearch(searchQuery) {
    this.#listing = { searchQuery };
    this.#parts.heading.textContent = `Search: ${searchQuery}`;
    return this.#load(0);
  }

  /** A file just uploaded into the shown folder, first in the grid until the next listing has it. */
  add(file) {
    if (this.#listing.folder !== folderOf(file.filePath)) return;
    this.#itemOf(file.fileId)?.remove();
    this.#parts.grid.prepend(this.#tile(file));
    this.#parts.state.textContent = "";
  }

  remove(fileId) {
    this.#deleted.add(fileId);
    this.#itemOf(fileId)?.remove();
    if (!this.#parts.grid.children.length) this.#parts.state.textContent = "No files here.";
  }

  #itemOf(fileId) {
    return this.#parts.grid.querySelector(`[data-file-id="${CSS.escape(fileId)}"]`)?.closest("li");
  }

  async #load(page) {
    const request = ++this.#request; // a slower answer to an older request must not overwrite a newer one
    const { grid, state, previous, next, pageNumber } = this.#parts;
    state.textContent = "Loading…";
    state.classList.remove("error");
    previous.disabled = next.disabled = true;
    try {
      // One more than a page: whether a next page exists, without counting the folder.
      const files = await this.#api.listFiles({ ...this.#listing, skip: page * PAGE_SIZE, limit: PAGE_SIZE + 1 });
      if (request !== this.#request) return;
      this.#page = page;
      const shown = files.slice(0, PAGE_SIZE).filter((file) => !this.#deleted.has(file.fileId));
      grid.replaceChildren(...shown.map((file) => this.#tile(file)));
      state.textContent = shown.length ? "" : this.#listing.searchQuery ? "No file matches." : "No files here.";
      previous.disabled = page === 0;
      next.disabled = files.length <= PAGE_SIZE;
      pageNumber.textContent = `Page ${page + 1}`;
      pageNumber.parentElement.hidden = page === 0 && next.disabled; // one page: no pager
    } catch (error) {
      if (request !== this.#request || this.#signedOut(error)) return;
      grid.replaceChildren();
      pageNumber.parentElement.hidden = true;
      const what = this.#listing.searchQuery ? "The search failed" : "The files could not be listed";
      state.textContent = `${what}: ${describe(error)}`;
      state.classList.add("error");
    }
  }

  #tile(file) {
    const button = element("button", { type: "button", className: "tile", dataset: { fileId: file.fileId } },
      picture(file),
      element("span", { className: "name" }, file.name),
      element("span", { className: "size" }, formatBytes(file.size)));
    button.addEventListener("click", () => this.#onOpen(file, button));
    return element("li", {}, button);
  }
}

/** The picture of a file: its thumbnail, else the image itself, else (or when either fails) the icon. */
export function picture(file) {
  const source = file.thumbnail || (file.fileType === "image" ? file.url : null);
  const image = element("img", { alt: "", loading: "lazy", decoding: "async", src: source || FILE_ICON });
  if (!source) image.classList.add("icon");
  image.addEventListener("error", () => {
    if (image.getAttribute("src") === FILE_ICON) return;
    image.src = FILE_ICON;
    image.classList.add("icon");
  });
  return image;
}

/** "/a/b/" for "/a/b/c.jpg": the folder path as the listing takes it. */
function folderOf(filePath) {
  return filePath.slice(0, filePath.lastIndexOf("/") + 1);
}
