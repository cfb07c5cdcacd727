// One file's details beside the grid: the File object's facts, its metadata object, its embedded metadata
// (GPS as a link to a map), its tags and custom metadata (editable), its url, its near-duplicates from any
// folder, and deleting it. Each part shows what it is loading, then its content or why it has none.

import { describe } from "./api.js";
import { definitionList, element, formatBytes, formatValue } from "./dom.js";
import { detailsEditor } from "./editor.js";
import { picture } from "./grid.js";

const MAP = "https://www.openstreetmap.org/";
// The embedded fields worth seeing first; all of them are one click away.
const EMBEDDED_HIGHLIGHTS = ["Make", "Model", "DateTimeOriginal", "Keywords", "Caption-Abstract", "Artist", "Copyright"];
const METADATA_FIELDS = ["format", "width", "height", "size", "quality", "density", "hasColorProfile", "hasTransparency", "pHash"];

export class FileDetails {
  #panel;
  #api;
  #signedOut;
  #confirmDelete;
  #onDeleted;
  #returnFocus = null;
  #shown = null; // the fileId on show; a slower answer for another file is dropped

  constructor(panel, { api, signedOut, confirmDelete, onDeleted }) {
    this.#panel = panel;
    this.#api = api;
    this.#signedOut = signedOut;
    this.#confirmDelete = confirmDelete;
    this.#onDeleted = onDeleted;
  }

  get isOpen() {
    return !this.#panel.hidden;
  }

  /** Show a file (a File object, or one from a listing) and move the focus to it; `opener` gets it back. */
  async open(file, opener = null) {
    this.#shown = file.fileId;
    if (opener) this.#returnFocus = opener;
    this.#render(file, element("p", { className: "state" }, "Loading…"));
    let current;
    try {
      current = await this.#api.details(file.fileId);
    } catch (error) {
      if (this.#shown !== file.fileId || this.#signedOut(error)) return;
      this.#render(file, element("p", { className: "state error" }, `The details could not be read: ${describe(error)}`));
      return;
    }
    if (this.#shown === file.fileId) this.#render(current, ...this.#sections(current));
  }

  close() {
    this.#shown = null;
    this.#panel.hidden = true;
    this.#panel.replaceChildren();
    if (this.#returnFocus?.isConnected) this.#returnFocus.focus();
    this.#returnFocus = null;
  }

  #render(file, ...content) {
    const close = element("button", { type: "button", className: "close", ariaLabel: "Close the details" }, "×");
    close.addEventListener("click", () => this.close());
    const heading = element("h2", { id: "details-heading", tabIndex: -1 }, file.name || file.fileId);
    this.#panel.replaceChildren(
      element("div", { className: "details-head" }, heading, close),
      element("p", { className: "path" }, file.filePath || ""),
      ...content);
    this.#panel.hidden = false;
    if (!this.#panel.contains(document.activeElement)) heading.focus();
  }

  #sections(file) {
    const link = file.url
      ? element("a", { href: file.url, target: "_blank", rel: "noopener noreferrer" }, "Open the file")
      : element("span", {}, "No link (the service signs none)");
    const remove = element("button", { type: "button", className: "danger" }, "Delete this file");
    remove.addEventListener("click", () => this.#delete(file));
    return [
      element("div", { className: "preview" }, picture(file)),
      element("p", { className: "url" }, link),
      section("File", definitionList([
        ["Type", file.fileType], ["Size", formatBytes(file.size)], ["MIME type", file.mime],
        ["Dimensions", file.width ? `${file.width} × ${file.height}` : "—"],
        ["Created", localTime(file.createdAt)], ["Updated", localTime(file.updatedAt)], ["File id", file.fileId],
      ])),
      section("Metadata", this.#pending(() => this.#api.metadata(file.fileId), metadataView)),
      section("Embedded metadata", embeddedView(file.embeddedMetadata)),
      section("Tags and custom metadata", detailsEditor(file, {
        save: (changes) => this.#api.updateDetails(file.fileId, changes),
        signedOut: this.#signedOut,
      })),
      section("Near-duplicates", file.fileType === "image"
        ? this.#pending(() => this.#api.similar(file.fileId), (answer) => this.#similarView(answer))
        : element("p", { className: "state" }, "Only images have near-duplicates.")),
      remove,
    ];
  }

  /** A part that loads: "Loading…", then `view(answer)`, or the reason it has nothing. */
  #pending(load, view) {
    const holder = element("div", {}, element("p", { className: "state" }, "Loading…"));
    const fileId = this.#shown;
    load().then(
      (answer) => fileId === this.#shown && holder.replaceChildren(view(answer)),
      (error) => {
        if (fileId !== this.#shown || this.#signedOut(error)) return;
        holder.replaceChildren(element("p", { className: "state error" }, `Not available: ${describe(error)}`));
      });
    return holder;
  }

  #similarView({ items }) {
    if (!items.length) return element("p", { className: "state" }, "No near-duplicates.");
    return element("ul", { className: "similar" }, items.map((item) => {
      const open = element("button", { type: "button" },
        element("span", { className: "name" }, `/${item.path}`),
        element("span", { className: "distance" }, `distance ${item.distance}`));
      const name = item.path.slice(item.path.lastIndexOf("/") + 1);
      open.addEventListener("click", () => this.open({ fileId: item.fileId, name, filePath: `/${item.path}` }));
      return element("li", {}, open);
    }));
  }

  async #delete(file) {
    if (!(await this.#confirmDelete(file.filePath))) return;
    try {
      await this.#api.delete(file.fileId);
    } catch (error) {
      if (this.#signedOut(error)) return;
      this.#panel.append(element("p", { className: "state error", role: "alert" }, `Not deleted: ${describe(error)}`));
      return;
    }
    this.#returnFocus = null;
    this.close();
    this.#onDeleted(file);
  }
}

function section(title, content) {
  return element("section", {}, element("h3", {}, title), content);
}

function localTime(instant) {
  return instant ? new Date(instant).toLocaleString() : "—";
}

function metadataView(metadata) {
  const groups = Object.entries(metadata.exif || {}).filter(([, tags]) => Object.keys(tags).length);
  return element("div", {},
    definitionList(METADATA_FIELDS.filter((name) => name in metadata).map((name) => [name, formatValue(metadata[name])])),
    groups.map(([group, tags]) => element("details", { className: "exif" },
      element("summary", {}, `EXIF ${group} (${Object.keys(tags).length})`),
      definitionList(Object.entries(tags).map(([name, value]) => [name, formatValue(value)])))));
}

function embeddedView(embedded) {
  const entries = Object.entries(embedded || {});
  if (!entries.length) return element("p", { className: "state" }, "None.");
  const { GPSLatitude: latitude, GPSLongitude: longitude } = embedded;
  const map = typeof latitude === "number" && typeof longitude === "number"
    ? element("p", {}, element("a", {
      href: `${MAP}?mlat=${latitude}&mlon=${longitude}#map=15/${latitude}/${longitude}`,
      target: "_blank", rel: "noopener noreferrer", className: "map",
    }, `Show ${latitude.toFixed(5)}, ${longitude.toFixed(5)} on a map`))
    : null;
  const highlights = EMBEDDED_HIGHLIGHTS.filter((name) => name in embedded);
  return element("div", {}, map,
    highlights.length ? definitionList(highlights.map((name) => [name, formatValue(embedded[name])])) : null,
    element("details", { className: "embedded" },
      element("summary", {}, `All ${entries.length} fields`),
      definitionList(entries.map(([name, value]) => [name, formatValue(value)]))));
}
