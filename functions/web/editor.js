// Editing a file's tags and custom metadata, saved as the hosted files.update call (PATCH .../details):
// `tags` replaces the tags, `customMetadata` sets each field, a removed field is sent as null.

import { describe } from "./api.js";
import { element } from "./dom.js";

/** The form for a File object; `save(changes)` answers the File object as saved, which the form then shows. */
export function detailsEditor(file, { save, signedOut }) {
  const tags = element("input", { id: "edit-tags", value: (file.tags || []).join(", "), autocomplete: "off" });
  const rows = element("div", { className: "fields" });
  let saved = file.customMetadata || {};
  const showFields = (fields) => rows.replaceChildren(...Object.entries(fields).map(([name, value]) => fieldRow(name, value)));
  showFields(saved);
  const add = element("button", { type: "button" }, "Add a field");
  add.addEventListener("click", () => {
    const row = fieldRow("", "");
    rows.append(row);
    row.querySelector("input").focus();
  });
  const state = element("p", { className: "state", role: "status" });
  const form = element("form", { className: "editor" },
    element("label", { htmlFor: "edit-tags" }, "Tags, separated by commas"), tags,
    element("fieldset", {}, element("legend", {}, "Custom metadata"), rows, add),
    element("button", { type: "submit" }, "Save"),
    state);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    state.classList.remove("error");
    state.textContent = "Saving…";
    try {
      const updated = await save({ tags: splitTags(tags.value), customMetadata: changedFields(rows, saved) });
      saved = updated.customMetadata || {};
      tags.value = (updated.tags || []).join(", ");
      showFields(saved);
      state.textContent = "Saved.";
    } catch (error) {
      if (signedOut(error)) return;
      state.classList.add("error");
      state.textContent = `Not saved: ${describe(error)}`;
    }
  });
  return form;
}

function fieldRow(name, value) {
  const nameInput = element("input", { value: name, className: "field-name", ariaLabel: "Field name", autocomplete: "off" });
  const valueInput = element("input", {
    value: typeof value === "string" ? value : JSON.stringify(value), className: "field-value",
    ariaLabel: name ? `Value of ${name}` : "Field value", autocomplete: "off",
  });
  // A number or a boolean stays one when its text still reads as one.
  valueInput.dataset.type = typeof value;
  const remove = element("button", { type: "button", ariaLabel: name ? `Remove ${name}` : "Remove this field" }, "Remove");
  const row = element("div", { className: "field" }, nameInput, valueInput, remove);
  remove.addEventListener("click", () => row.remove());
  return row;
}

function splitTags(text) {
  return text.split(",").map((tag) => tag.trim()).filter(Boolean);
}

function changedFields(rows, original) {
  const fields = {};
  for (const row of rows.querySelectorAll(".field")) {
    const name = row.querySelector(".field-name").value.trim();
    const input = row.querySelector(".field-value");
    if (name) fields[name] = typed(input.value, input.dataset.type);
  }
  for (const name of Object.keys(original)) {
    if (!(name in fields)) fields[name] = null; // removed
  }
  return fields;
}

function typed(text, type) {
  if (type === "number" && text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}
