// The page's start: the key form, then the library (folders, files, search, details, uploads). The key is
// kept in sessionStorage (this tab only, gone when it closes) and sent in the Authorization header only.

import { Api } from "./api.js";
import { FileDetails } from "./details.js";
import { FileGrid } from "./grid.js";
import { FolderTree } from "./tree.js";
import { Uploader } from "./upload.js";

const KEY_ITEM = "imagemeta.privateKey";
const byId = (id) => document.getElementById(id);

function start() {
  const api = new Api();
  const alert = byId("alert");
  let signedIn = false;

  /** A refused key (401) ends the session wherever it happens; callers show every other error themselves. */
  function signedOut(error) {
    if (error.status !== 401) return false;
    signOut(signedIn
      ? "The key is no longer accepted (revoked or expired). Type a valid key to go on."
      : "The key was refused. Check it and try again.");
    return true;
  }

  const library = buildLibrary(api, signedOut);

  async function signIn(key) {
    alert.hidden = true;
    api.useKey(key);
    if (!(await library.open())) return;
    signedIn = true;
    sessionStorage.setItem(KEY_ITEM, key);
    byId("sign-in").hidden = true;
    byId("library").hidden = byId("search").hidden = byId("sign-out").hidden = false;
    library.tree.root.focus();
  }

  /** Back to the key form, saying why (a refused key, a revoked one; nothing when the user asked). */
  function signOut(reason) {
    signedIn = false;
    api.useKey(null);
    sessionStorage.removeItem(KEY_ITEM);
    library.close();
    byId("library").hidden = byId("search").hidden = byId("sign-out").hidden = true;
    byId("sign-in").hidden = false;
    alert.textContent = reason;
    alert.hidden = !reason;
    byId("key").value = "";
    byId("key").focus();
  }

  byId("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(byId("key").value.trim());
  });
  byId("sign-out").addEventListener("click", () => signOut(""));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !byId("confirm-delete").open && library.details.isOpen) library.details.close();
  });
  const saved = sessionStorage.getItem(KEY_ITEM);
  if (saved) {
    signIn(saved);
  } else {
    byId("sign-in").hidden = false;
    byId("key").focus();
  }
}

/** The library's parts, wired once; `open()` shows the root folder and answers whether the key was accepted. */
function buildLibrary(api, signedOut) {
  const searchField = byId("search-query");
  const grid = new FileGrid({
    heading: byId("files-heading"), grid: byId("grid"), state: byId("grid-state"),
    previous: byId("previous-page"), next: byId("next-page"), pageNumber: byId("page-number"),
  }, { api, signedOut, onOpen: (file, tile) => details.open(file, tile) });
  const details = new FileDetails(byId("details"), {
    api, signedOut, confirmDelete,
    onDeleted: (file) => {
      grid.remove(file.fileId);
      byId("files-heading").focus();
    },
  });
  const tree = new FolderTree(byId("tree"), {
    api, signedOut,
    onSelect: (folder) => {
      searchField.value = "";
      grid.showFolder(folder);
    },
  });
  new Uploader({
    input: byId("upload-input"), button: byId("upload-button"), dropZone: byId("files"), rows: byId("uploads"),
  }, { api, signedOut, target: () => grid.folder, onUploaded: (file) => grid.add(file) });

  byId("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = searchField.value.trim();
    if (!query) {
      grid.showFolder(grid.folder);
      return;
    }
    tree.clearSelection();
    grid.showSearch(query);
  });
  return {
    tree,
    details,
    open: () => tree.start(),
    close() {
      details.close();
      byId("uploads").replaceChildren();
    },
  };
}

/** The delete dialog: true when the user confirmed deleting `filePath`. */
function confirmDelete(filePath) {
  const dialog = byId("confirm-delete");
  byId("delete-path").textContent = filePath;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true });
  });
}

start();
