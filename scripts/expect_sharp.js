// Writes tests/data/expected/sharp.json: what sharp (libvips), sharp-phash and ImageMagick say
// about every corpus image. Tests read only the JSON; run through `make golden`.
// Usage: node scripts/expect_sharp.js <corpus dir> <output json>
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const sharp = require("sharp");
const phash = require("sharp-phash");

const SKIP = /^(README.*|.*\.(md|rst))$/;

function listImages(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listImages(full);
    return SKIP.test(entry.name) ? [] : [full];
  });
}

function identifyQuality(file) {
  // `[0]` so a file ImageMagick reads as several frames answers once.
  const out = execFileSync("identify", ["-format", "%Q", `${file}[0]`], { stdio: ["ignore", "pipe", "ignore"] });
  return Number(out.toString().trim());
}

async function describe(file) {
  const meta = await sharp(file).metadata();
  const bits = await phash(file);
  const result = {
    width: meta.width,
    height: meta.height,
    format: meta.format,
    density: meta.density ?? null,
    hasProfile: meta.hasProfile,
    hasAlpha: meta.hasAlpha,
    orientation: meta.orientation ?? null,
    pages: meta.pages ?? 1,
    pHash: BigInt("0b" + bits).toString(16).padStart(16, "0"),
  };
  if (meta.format === "jpeg") result.quality = identifyQuality(file);
  return result;
}

async function main() {
  const [corpus, output] = process.argv.slice(2);
  const expected = {
    _generator: {
      sharp: sharp.versions.sharp,
      "sharp-phash": require("sharp-phash/package.json").version,
      libvips: sharp.versions.vips,
      identify: execFileSync("identify", ["-version"]).toString().split("\n")[0],
    },
  };
  for (const file of listImages(corpus).sort()) {
    const key = path.relative(corpus, file).split(path.sep).join("/");
    try {
      expected[key] = await describe(file);
    } catch (err) {
      // Relative, like the keys: the expectations must not depend on where the images lie.
      expected[key] = { error: String(err.message).split("\n")[0].replace(file, key) };
    }
  }
  fs.writeFileSync(output, JSON.stringify(expected, null, 2) + "\n");
}

main();
