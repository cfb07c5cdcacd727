// Edits, custom metadata fields, searches and a client-side upload through the hosted API's npm SDK
// (@imagekit/nodejs, pinned in scripts/package.json), given only the base URL and a private key.
// Usage: node edit_sdk.cjs <baseURL> <privateKey> <publicKey> <folder> <jpeg path> <suffix>; prints one JSON object.
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const fromScripts = createRequire(path.join(__dirname, "..", "..", "..", "scripts", "package.json"));
const { ImageKit, NotFoundError, toFile } = fromScripts("@imagekit/nodejs");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function stored(client, fileId) {
  const started = Date.now();
  for (;;) {
    try {
      return await client.files.get(fileId);
    } catch (error) {
      if (!(error instanceof NotFoundError) || Date.now() - started > 5000) throw error;
      await sleep(50);
    }
  }
}

async function status(call) {
  try {
    await call();
    return 200;
  } catch (error) {
    return [error.status, error.headers?.get?.("x-should-retry") ?? null];
  }
}

async function main() {
  const [baseURL, privateKey, publicKey, folder, jpegPath, suffix] = process.argv.slice(2);
  const client = new ImageKit({ privateKey, baseURL });
  const bytes = fs.readFileSync(jpegPath);
  const price = await client.customMetadataFields.create({
    name: `price_${suffix}`, label: `Price ${suffix}`, schema: { type: "Number", minValue: 0 },
  });
  const uploaded = await client.files.upload({
    file: await toFile(bytes, "shoe.jpg"), fileName: "shoe.jpg", folder, useUniqueFileName: false,
    tags: [`node_${suffix}`], customMetadata: { [price.name]: 12.5 }, isPublished: false,
    responseFields: ["tags", "customMetadata", "isPublished"],
  });
  await stored(client, uploaded.fileId);
  const updated = await client.files.update(uploaded.fileId, {
    customMetadata: { [price.name]: 150 }, description: "From node", tags: null,
  });
  const published = await client.files.update(uploaded.fileId, { publish: { isPublished: true } });
  const added = await client.files.bulk.addTags({ fileIds: [uploaded.fileId], tags: [`node_${suffix}`, "sale"] });
  const removed = await client.files.bulk.removeTags({ fileIds: [uploaded.fileId], tags: ["sale"] });
  const found = await client.assets.list({
    searchQuery: `tags IN ["node_${suffix}"] AND "customMetadata.${price.name}" >= 100`,
  });
  const refused = await status(() => client.files.update(uploaded.fileId, { customMetadata: { [price.name]: -1 } }));
  // A browser's upload: no private key, the signature the caller's server made with the SDK's helper.
  const signed = client.helper.getAuthenticationParameters();
  const browser = await client.files.upload(
    {
      file: await toFile(bytes, "browser.jpg"), fileName: "browser.jpg", folder, useUniqueFileName: false,
      publicKey, signature: signed.signature, expire: signed.expire, token: signed.token,
    },
    { headers: { Authorization: null } },
  );
  const again = await toFile(bytes, "again.jpg");
  const replayed = await status(() => client.files.upload(
    {
      file: again, fileName: "again.jpg", folder,
      publicKey, signature: signed.signature, expire: signed.expire, token: signed.token,
    },
    { headers: { Authorization: null } },
  ));
  const fields = await client.customMetadataFields.list();
  const deleted = await client.customMetadataFields.delete(price.id);
  process.stdout.write(JSON.stringify({
    price, uploaded, updated, published, added, removed, found, refused, browser, replayed,
    listedField: fields.some((field) => field.id === price.id), deleted: deleted ?? null,
  }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
