// Writes tests/data/expected/node_exif.json: what node-exif 0.6.0 (the hosted API's EXIF reader)
// says about every corpus JPEG, each tag with its ID so the tests can map it to ExifTool's name.
// Buffers (UNDEFINED) follow the contract: printable ASCII becomes a string, anything else is dropped.
// Usage: node scripts/expect_node_exif.js <corpus dir> <output json>
"use strict";

const fs = require("fs");
const path = require("path");
const { ExifImage } = require("exif");

const JPEG = /\.jpe?g$/i;
const GROUPS = ["image", "thumbnail", "exif", "gps", "interoperability", "makernote"];

function listJpegs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listJpegs(full);
    return JPEG.test(entry.name) ? [full] : [];
  });
}

function contractValue(value) {
  if (!Buffer.isBuffer(value)) return value;
  const printable = value.length > 0 && value.every((byte) => byte >= 0x20 && byte <= 0x7e);
  return printable ? value.toString("latin1") : undefined;
}

// node-exif gives names only, and some IDs share a name; remember the ID behind each key as it is set.
function tracked(ids, group, state) {
  return new Proxy({}, {
    set(target, key, value) {
      ids[group][key] = state.lastTagId;
      target[key] = value;
      return true;
    },
  });
}

function read(file) {
  return new Promise((resolve) => {
    const image = new ExifImage();
    const state = { lastTagId: null };
    const ids = Object.fromEntries(GROUPS.map((group) => [group, {}]));
    const extractEntry = image.extractExifEntry;
    image.extractExifEntry = function (...args) {
      const entry = extractEntry.apply(this, args);
      if (entry) state.lastTagId = entry.tagId;
      return entry;
    };
    for (const group of GROUPS) image.exifData[group] = tracked(ids, group, state);
    image.loadImage(fs.readFileSync(file), (error, data) => {
      if (error) return resolve({ error: String(error.message) });
      // node-exif writes a message, not a tag, into makernote for makers it does not know.
      const makernoteError = data.makernote.error;
      if (makernoteError !== undefined) delete data.makernote.error;
      const groups = {};
      for (const group of GROUPS) {
        groups[group] = Object.entries(data[group]).flatMap(([name, raw]) => {
          const value = contractValue(raw);
          return value === undefined ? [] : [{ id: ids[group][name] ?? null, name, value }];
        });
      }
      resolve(makernoteError === undefined ? { groups } : { groups, makernoteError });
    });
  });
}

async function main() {
  const [corpus, output] = process.argv.slice(2);
  const expected = { _generator: { exif: require("exif/package.json").version } };
  for (const file of listJpegs(corpus).sort()) {
    expected[path.relative(corpus, file).split(path.sep).join("/")] = await read(file);
  }
  fs.writeFileSync(output, JSON.stringify(expected, null, 1) + "\n");
}

main();
