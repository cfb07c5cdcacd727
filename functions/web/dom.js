// Building the page's elements one by one: text from the API only ever becomes text nodes, never markup
// (the Content-Security-Policy's Trusted Types forbid HTML strings anyway).

/** A new element: `properties` are set on it (`dataset` and `aria*` as attributes), `children` appended. */
export function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("aria") || name === "role") node.setAttribute(toAttribute(name), value);
    else node[name] = value;
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

function toAttribute(name) {
  return name.startsWith("aria") ? `aria-${name.slice(4).toLowerCase()}` : name;
}

/** "1.2 MB" for a byte count (1 kB = 1000 bytes, as file managers show sizes). */
export function formatBytes(bytes) {
  if (typeof bytes !== "number") return "";
  const units = ["bytes", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A value of a metadata object as text: arrays joined, objects as JSON, null as an em dash. */
export function formatValue(value) {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(formatValue).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A definition list of an object's fields, in the object's order; nested objects are left to the caller. */
export function definitionList(entries) {
  return element("dl", { className: "facts" },
    entries.flatMap(([name, value]) => [element("dt", {}, name), element("dd", {}, value)]));
}
