// The hosted API's engine, timed: sharp(buf).metadata() + sharp-phash + node-exif on each file, one at a
// time, warm, sharp.concurrency(1); the median of 9 runs after one warm-up. Run by `make bench`.
// Usage: node scripts/bench_sharp.js FILE... ; prints {file: {wall_ms, cpu_ms, runs} | {error}} as JSON.
"use strict";

const fs = require("fs");
const sharp = require("sharp");
const phash = require("sharp-phash");
const { ExifImage } = require("exif");

const RUNS = 9;
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const results = {};
  for (const file of process.argv.slice(2)) {
    const buffer = fs.readFileSync(file);
    try {
      await once(buffer);
      const walls = [];
      const cpus = [];
      for (let i = 0; i < RUNS; i++) {
        const cpu = process.cpuUsage();
        const start = process.hrtime.bigint();
        await once(buffer);
        walls.push(Number(process.hrtime.bigint() - start) / 1e6);
        const used = process.cpuUsage(cpu);
        cpus.push((used.user + used.system) / 1000);
      }
      results[file] = { wall_ms: median(walls), cpu_ms: median(cpus), runs: RUNS };
    } catch (error) {
      results[file] = { error: String(error.message).split("\n")[0] };
    }
  }
  process.stdout.write(JSON.stringify(results) + "\n");
}

main();
