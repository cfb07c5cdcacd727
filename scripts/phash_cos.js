// Writes functions/imagemeta/data/phash_cos.json: sharp-phash 2.2.0's cosine table (index.js,
// initCOS), computed by V8's Math.cos. glibc's cos differs from it in the last bit for 36 of the
// 1024 entries, and on flat images those bits decide the hash. Usage: node scripts/phash_cos.js <out>
"use strict";

const fs = require("fs");

const N = 32;
const cos = [];
for (let k = 0; k < N; k++) {
  cos.push([]);
  for (let n = 0; n < N; n++) cos[k].push(Math.cos(((2 * k + 1) / (2.0 * N)) * n * Math.PI));
}
const source = `sharp-phash 2.2.0 initCOS(32), node ${process.version}`;
fs.writeFileSync(process.argv[2], JSON.stringify({ source, cos }) + "\n");
