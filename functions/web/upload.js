// Uploading into the shown folder, from the file input or dropped on the files: one row per file with its
// progress, then the new tile in the grid, or why the upload failed.

import { describe } from "./api.js";
import { element } from "./dom.js";

export class Uploader {
  #api;
  #rows;
  #target;
  #onUploaded;
  #signedOut;

  constructor({ input, button, dropZone, rows }, { api, target, onUploaded, signedOut }) {
    this.#api = api;
    this.#rows = rows;
    this.#target = target; // () => the folder to upload into
    this.#onUploaded = onUploaded;
    this.#signedOut = signedOut;
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      this.uploadAll(input.files);
      input.value = ""; // the same file can be chosen again
    });
    dropZone.addEventListener("dragover", (event) => {
      if (!event.dataTransfer.types.includes("Files")) return;
      event.preventDefault(); // accept the drop
      event.dataTransfer.dropEffect = "copy";
      dropZone.classList.add("dropping");
    });
    dropZone.addEventListener("dragleave", (event) => {
      if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove("dropping");
    });
    dropZone.addEventListener("drop", (event) => {
      event.preventDefault(); // the browser would open the file instead
      dropZone.classList.remove("dropping");
      this.uploadAll(event.dataTransfer.files);
    });
  }

  uploadAll(files) {
    return Promise.all(Array.from(files, (file) => this.#upload(file, this.#target())));
  }

  async #upload(file, folder) {
    const progress = element("progress", { max: 100, value: 0, ariaLabel: `Uploading ${file.name}` });
    const state = element("span", { className: "state" }, "0%");
    const row = element("li", {}, element("span", { className: "name" }, `${folder}${file.name}`), progress, state);
    this.#rows.prepend(row);
    try {
      const uploaded = await this.#api.upload(file, folder, (fraction) => {
        progress.value = Math.round(fraction * 100);
        state.textContent = `${progress.value}%`;
      });
      progress.value = 100;
      state.textContent = "Uploaded";
      row.classList.add("done");
      // The upload answer is not a File object: thumbnailUrl is its thumbnail.
      this.#onUploaded({ ...uploaded, thumbnail: uploaded.thumbnailUrl });
    } catch (error) {
      if (this.#signedOut(error)) return;
      row.classList.add("failed");
      progress.remove();
      state.setAttribute("role", "alert");
      state.textContent = `Failed: ${describe(error)}`;
    }
  }
}
