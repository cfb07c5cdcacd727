// The folder tree: each folder's sub-folders are read when it is first opened. Every folder is a button
// (Tab reaches it, Enter shows its files); the arrow before it shows or hides its sub-folders.

import { describe } from "./api.js";
import { element } from "./dom.js";

export class FolderTree {
  #api;
  #list;
  #onSelect;
  #signedOut;
  #selected = null;

  constructor(list, { api, onSelect, signedOut }) {
    this.#list = list;
    this.#api = api;
    this.#onSelect = onSelect;
    this.#signedOut = signedOut;
  }

  /** The root folder, open, with its sub-folders: true once they are listed. */
  start() {
    const root = this.#node({ folderPath: "/", name: "All files" });
    this.#list.replaceChildren(root.item);
    this.#select(root.label, "/");
    return this.#expand(root);
  }

  /** The root folder's button, where the keyboard starts. */
  get root() {
    return this.#list.querySelector(".folder");
  }

  /** Mark a folder as the shown one (after a search, none is). */
  clearSelection() {
    this.#selected?.removeAttribute("aria-current");
    this.#selected = null;
  }

  #node(folder) {
    const path = folder.folderPath === "/" ? "/" : `${folder.folderPath}/`;
    const toggle = element("button", {
      type: "button", className: "toggle", ariaExpanded: "false", ariaLabel: `Show the folders in ${folder.name}`,
    });
    const label = element("button", { type: "button", className: "folder", dataset: { path } }, folder.name);
    const children = element("ul", { hidden: true });
    const node = { path, toggle, label, children, loaded: false, item: element("li", {}, toggle, label, children) };
    toggle.addEventListener("click", () => (children.hidden ? this.#expand(node) : this.#collapse(node)));
    label.addEventListener("click", () => this.#select(label, path));
    return node;
  }

  #select(label, path) {
    this.clearSelection();
    label.setAttribute("aria-current", "true");
    this.#selected = label;
    this.#onSelect(path);
  }

  async #expand(node) {
    node.toggle.setAttribute("aria-expanded", "true");
    node.children.hidden = false;
    if (node.loaded) return true;
    node.loaded = true;
    node.children.replaceChildren(element("li", { className: "state" }, "Loading…"));
    try {
      const folders = await this.#api.listFolders(node.path);
      node.children.replaceChildren(...folders.map((folder) => this.#node(folder).item));
      if (!folders.length) node.toggle.classList.add("empty");
      return true;
    } catch (error) {
      node.loaded = false;
      if (!this.#signedOut(error)) {
        node.children.replaceChildren(element("li", { className: "state error" }, `Not loaded: ${describe(error)}`));
      }
      return false;
    }
  }

  #collapse(node) {
    node.toggle.setAttribute("aria-expanded", "false");
    node.children.hidden = true;
  }
}
