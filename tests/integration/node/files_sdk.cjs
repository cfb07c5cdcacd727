// The files API of a running stack through the hosted API's npm SDK (@imagekit/nodejs, pinned in
// scripts/package.json), given only the base URL and a private key: upload, metadata, list, details, delete.
// Usage: node files_sdk.cjs <baseURL> <privateKey> <folder> <jpeg path>; prints one JSON object.
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const fromScripts = createRequire(path.join(__dirname, "..", "..", "..", "scripts", "package.json"));
const { ImageKit, NotFoundError, toFile } = fromScripts("@imagekit/nodejs");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `call` until it no longer fails with `wantGone ? anything but 404 : 404`; returns [result, seconds].
async function until(call, wantGone, seconds = 5) {
  const started = Date.now();
  for (;;) {
    try {
      const result = await call();
      if (!wantGone) return [result, (Date.now() - started) / 1000];
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      if (wantGone) return [error.status, (Date.now() - started) / 1000];
    }
    if (Date.now() - started > seconds * 1000) return [null, (Date.now() - started) / 1000];
    await sleep(50);
  }
}

async function main() {
  const [baseURL, privateKey, folder, jpegPath] = process.argv.slice(2);
  const client = new ImageKit({ privateKey, baseURL });
  const uploaded = await client.files.upload({
    file: await toFile(fs.readFileSync(jpegPath), "photo.jpg"),
    fileName: "photo.jpg",
    folder,
    useUniqueFileName: false,
    tags: ["node", "sdk"],
    responseFields: ["metadata", "tags"],
  });
  const [stored, storedSeconds] = await until(() => client.files.metadata.get(uploaded.fileId), false);
  const listed = await client.assets.list({ path: folder, type: "all", sort: "ASC_NAME" });
  const details = await client.files.get(uploaded.fileId);
  const deleted = await client.files.delete(uploaded.fileId);
  const [deletedStatus, deleteSeconds] = await until(() => client.files.metadata.get(uploaded.fileId), true);
  process.stdout.write(
    JSON.stringify({ uploaded, stored, storedSeconds, listed, details, deleted: deleted ?? null, deletedStatus, deleteSeconds }),
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
