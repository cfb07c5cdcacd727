// Organizing the library of a running stack through the hosted API's npm SDK (@imagekit/nodejs, pinned in
// scripts/package.json), given only the base URL and a private key: copy, move, rename, versions, folders and
// their jobs, a purge, and a call the service does not serve. Usage: node organize_sdk.cjs <baseURL> <privateKey>
// <folder> <jpeg path> <other jpeg path>; prints one JSON object of what the SDK answered.
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const fromScripts = createRequire(path.join(__dirname, "..", "..", "..", "scripts", "package.json"));
const { ImageKit, toFile } = fromScripts("@imagekit/nodejs");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `call` until `done(result)` (an error counts as a result), at most `seconds`; returns the last result.
async function until(call, done, seconds = 30) {
  const started = Date.now();
  for (;;) {
    let result;
    try {
      result = await call();
    } catch (error) {
      result = { status: error.status, error: error.error };
    }
    if (done(result) || Date.now() - started > seconds * 1000) return result;
    await sleep(100);
  }
}

// The error a call ends in: its status, body and the SDK's class name.
async function failure(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { status: error.status, name: error.constructor.name, body: error.error };
  }
}

async function main() {
  const [baseURL, privateKey, folder, jpegPath, otherPath] = process.argv.slice(2);
  const client = new ImageKit({ privateKey, baseURL });
  const upload = async (file, name) =>
    client.files.upload({ file: await toFile(fs.readFileSync(file), name), fileName: name, folder,
                          useUniqueFileName: false, tags: ["node"] });
  const first = await upload(jpegPath, "a.jpg");
  await until(() => client.files.get(first.fileId), (r) => r.fileId === first.fileId);
  const second = await upload(otherPath, "a.jpg");
  await until(() => client.files.get(first.fileId), (r) => r.versionInfo && r.versionInfo.id === second.versionInfo.id);

  const versions = await client.files.versions.list(first.fileId);
  const kept = await client.files.versions.get(first.versionInfo.id, { fileId: first.fileId });
  const deleteCurrent = await failure(() => client.files.versions.delete(second.versionInfo.id, { fileId: first.fileId }));
  const restored = await client.files.versions.restore(first.versionInfo.id, { fileId: first.fileId });

  const copied = await client.files.copy({ sourceFilePath: `${folder}/a.jpg`, destinationPath: `${folder}/copies`,
                                           includeFileVersions: true });
  await until(() => client.assets.list({ path: `${folder}/copies` }), (r) => Array.isArray(r) && r.length === 1);
  const renamed = await client.files.rename({ filePath: `${folder}/copies/a.jpg`, newFileName: "b.jpg", purgeCache: true });
  const purge = await client.cache.invalidation.get(renamed.purgeRequestId);
  await until(() => client.assets.list({ path: `${folder}/copies` }), (r) => Array.isArray(r) && r.some((f) => f.name === "b.jpg"));
  const moved = await client.files.move({ sourceFilePath: `${folder}/copies/b.jpg`, destinationPath: `${folder}/moved` });
  const taken = await failure(() => client.files.rename({ filePath: `${folder}/a.jpg`, newFileName: "a.jpg" }));

  const created = await client.folders.create({ folderName: "made", parentFolderPath: folder });
  const job = await client.folders.move({ sourceFolderPath: `${folder}/moved`, destinationPath: `${folder}/made` });
  const jobDone = await until(() => client.folders.job.get(job.jobId), (r) => r.status === "Completed");
  const listed = await until(() => client.assets.list({ path: `${folder}/made/moved` }), (r) => Array.isArray(r) && r.length === 1);
  const deleted = await client.folders.delete({ folderPath: `${folder}/made` });
  const folders = await until(() => client.assets.list({ path: folder, type: "folder" }),
                              (r) => Array.isArray(r) && r.every((f) => f.name !== "made"));
  const notServed = await failure(() => client.accounts.usage.get({ startDate: "2026-01-01", endDate: "2026-01-31" }));

  process.stdout.write(JSON.stringify({
    first, second, versions, kept, deleteCurrent, restored, copied: copied ?? null, renamed, purge,
    moved: moved ?? null, taken, created, job, jobDone, listed, deleted: deleted ?? null, folders, notServed,
  }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
