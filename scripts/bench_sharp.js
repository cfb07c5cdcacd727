// The hosted API's engine, timed: sharp(buf).metadata() + sharp-phash + node-exif on a file, warm,
// sharp.concurrency(1). Run by `make bench`, which interleaves its runs with ours (bench/hosted.py).
// Usage: node scripts/bench_sharp.js ; reads one file path a line on stdin, runs the engine on it once
// (after one untimed warm-up run the first time a file is named) and answers one JSON line:
// {wall_ms, cpu_ms} or {error}.
"use strict";

const fs = require("fs");
const readline = require("readline");
const sharp = require("sharp");
const phash = require("sharp-phash");
const { ExifImage } = require("exif");

sharp.concurrency(1);

function exif(buffer) {
  // node-exif reads JPEG only; the hosted API asks it for every upload all the same.
  return new Promise((resolve) => {
    try {
      new ExifImage({ image: buffer }, (error, data) => resolve(error ? null : data));
    } catch (error) {
      resolve(null);
    }
  });
}

async function once(buffer) {
  await sharp(buffer).metadata();
  await phash(buffer);
  await exif(buffer);
}

const warm = new Map();

async function timed(file) {
  try {
    if (!warm.has(file)) {
      const buffer = fs.readFileSync(file);
      await once(buffer);
      warm.set(file, buffer);
    }
    const buffer = warm.get(file);
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await once(buffer);
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    return { wall_ms: wall, cpu_ms: (used.user + used.system) / 1000 };
  } catch (error) {
    return { error: String(error.message).split("\n")[0] };
  }
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin });
  for await (const file of lines) {
    process.stdout.write(JSON.stringify(await timed(file)) + "\n");
  }
}

main();
