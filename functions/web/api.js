// The media-library API as the official SDKs call it: same origin, HTTP Basic with the private key as the
// user name. Every failure becomes an ApiError carrying the contract's {message, help}.
//
// A refused key answers 401 with WWW-Authenticate: Basic, and a browser meets that with its own login dialog
// (the request waits on it) unless the request leaves the browser's credentials out: every fetch here says
// credentials "omit" (the key goes in the Authorization header this code sets, which is sent regardless).

export class ApiError extends Error {
  constructor(status, message, help = "") {
    super(message);
    this.status = status; // 0: the service could not be reached
    this.help = help;
  }
}

/** An error as one line for the page: the message, then what to do about it. */
export function describe(error) {
  if (!(error instanceof ApiError)) return String(error);
  return error.help ? `${error.message} ${error.help}` : error.message;
}

const UNREACHABLE = ["The service cannot be reached.", "Check the connection, then try again."];

export class Api {
  #authorization = "";

  /** The key every call sends from now on (none: calls are refused 401 by the service). */
  useKey(key) {
    // btoa takes Latin-1 only: the key's UTF-8 bytes, as curl and the SDKs send them.
    this.#authorization = key ? `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${key}:`)))}` : "";
  }

  /** One page of a folder's files, or of a search (`searchQuery`, the whole library). */
  listFiles({ folder, searchQuery, skip, limit }) {
    const query = searchQuery ? { searchQuery } : { path: folder };
    return this.#json("GET", "v1/files", { ...query, type: "file", sort: "ASC_NAME", skip, limit });
  }

  /** The sub-folders of a folder (Folder objects). */
  listFolders(folder) {
    return this.#json("GET", "v1/files", { path: folder, type: "folder", sort: "ASC_NAME" });
  }

  details(fileId) {
    return this.#json("GET", `v1/files/${encodeURIComponent(fileId)}/details`);
  }

  metadata(fileId) {
    return this.#json("GET", `v1/files/${encodeURIComponent(fileId)}/metadata`);
  }

  similar(fileId) {
    return this.#json("GET", `v1/files/${encodeURIComponent(fileId)}/similar`);
  }

  /** The hosted files.update body: `tags` (an array), `customMetadata` (a null value removes that field). */
  updateDetails(fileId, changes) {
    return this.#json("PATCH", `v1/files/${encodeURIComponent(fileId)}/details`, {}, changes);
  }

  delete(fileId) {
    return this.#json("DELETE", `v1/files/${encodeURIComponent(fileId)}`);
  }

  /** Whether the key is still accepted (a cheap listing; ApiError 401 when it is not). */
  checkKey() {
    return this.#json("GET", "v1/files", { path: "/", type: "folder", limit: 1 });
  }

  /**
   * files.upload's multipart form, under its own name in `folder`, never over an existing file (409 instead);
   * `onProgress(fraction)` as the bytes go out. XMLHttpRequest, because fetch reports no upload progress; it
   * cannot leave the browser's credentials out, so the key is checked just before (see the top of this file).
   */
  async upload(file, folder, onProgress) {
    await this.checkKey();
    const form = new FormData();
    form.append("fileName", file.name);
    form.append("folder", folder);
    form.append("useUniqueFileName", "false");
    form.append("overwriteFile", "false");
    form.append("file", file, file.name);
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", "api/v1/files/upload");
      request.setRequestHeader("Authorization", this.#authorization);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      });
      request.addEventListener("load", () => {
        const body = parseJson(request.responseText);
        if (request.status >= 200 && request.status < 300 && body) resolve(body);
        else reject(errorOf(request.status, body));
      });
      request.addEventListener("error", () => reject(new ApiError(0, ...UNREACHABLE)));
      request.send(form);
    });
  }

  async #json(method, path, query = {}, body = undefined) {
    const parameters = Object.entries(query).filter(([, value]) => value !== undefined && value !== "");
    const url = parameters.length ? `${path}?${new URLSearchParams(parameters)}` : path;
    const headers = { Authorization: this.#authorization, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
        credentials: "omit",
      });
    } catch {
      throw new ApiError(0, ...UNREACHABLE);
    }
    if (response.status === 204) return null;
    const answer = parseJson(await response.text());
    if (!response.ok || answer === undefined) throw errorOf(response.status, answer);
    return answer;
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorOf(status, body) {
  if (body && typeof body.message === "string") return new ApiError(status, body.message, body.help || "");
  return new ApiError(status, `The service answered with status ${status}.`, "Try again; if it persists, tell the operator.");
}
