// The workspace file browser: folders, uploads with progress (large files in chunks),
// multi-select actions, quota bar. Everything goes through /api/workspace.
(function () {
  "use strict";

  const API = "/api/workspace";
  const CHUNK = 8 * 1024 * 1024;
  const csrfToken = window.tep.csrfToken;
  const state = { path: "", sort: "name", order: "asc", offset: 0, limit: 50, entries: [] };

  function encodePath(path) {
    return path.split("/").map(encodeURIComponent).join("/");
  }

  function filesUrl(path) {
    return API + "/files/" + encodePath(path);
  }

  function human(bytes) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
    return (unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)) + " " + units[unit];
  }

  function showProblem(message) {
    const box = document.getElementById("workspace-problem");
    box.textContent = message;
    box.classList.toggle("d-none", !message);
  }

  async function problemOf(response) {
    try { return (await response.json()).detail || response.statusText; } catch (error) { return response.statusText; }
  }

  async function request(method, url, options) {
    const headers = Object.assign({ "X-CSRFToken": csrfToken(), Accept: "application/json" }, (options || {}).headers || {});
    return fetch(url, Object.assign({ method: method, credentials: "same-origin" }, options || {}, { headers: headers }));
  }

  async function refreshQuota() {
    const response = await request("GET", API);
    if (!response.ok) return;
    const quota = await response.json();
    const percent = quota.quotaBytes ? Math.min(100, (100 * quota.usedBytes) / quota.quotaBytes) : 0;
    const bar = document.getElementById("quota-bar");
    bar.style.width = percent.toFixed(1) + "%";
    bar.className = "progress-bar" + (percent >= 90 ? " bg-danger" : percent >= 75 ? " bg-warning" : "");
    document.getElementById("quota-progress").setAttribute("aria-valuenow", percent.toFixed(1));
    document.getElementById("quota-text").textContent =
      human(quota.usedBytes) + " of " + human(quota.quotaBytes) + " used (" + percent.toFixed(percent < 10 ? 1 : 0) + "%)";
  }

  function breadcrumbs() {
    const list = document.getElementById("workspace-breadcrumbs");
    list.innerHTML = "";
    const parts = state.path ? state.path.split("/") : [];
    const crumbs = [{ name: "My workspace", path: "" }].concat(parts.map(function (name, index) {
      return { name: name, path: parts.slice(0, index + 1).join("/") };
    }));
    crumbs.forEach(function (crumb, index) {
      const item = document.createElement("li");
      item.className = "breadcrumb-item" + (index === crumbs.length - 1 ? " active" : "");
      if (index === crumbs.length - 1) {
        item.textContent = crumb.name;
        item.setAttribute("aria-current", "page");
      } else {
        const link = document.createElement("a");
        link.href = "/workspace/" + encodePath(crumb.path);
        link.textContent = crumb.name;
        link.addEventListener("click", function (event) { event.preventDefault(); open(crumb.path); });
        item.appendChild(link);
      }
      list.appendChild(item);
    });
  }

  function entriesOf(listing) {
    return listing.entries || listing.items || listing.files || [];
  }

  function row(entry) {
    const tr = document.createElement("tr");
    tr.dataset.path = entry.path;
    tr.dataset.type = entry.type;
    const check = document.createElement("td");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "form-check-input entry-select";
    box.setAttribute("aria-label", "Select " + entry.name);
    box.addEventListener("change", selectionChanged);
    check.appendChild(box);
    const name = document.createElement("td");
    const link = document.createElement("a");
    link.className = "entry-name";
    link.textContent = entry.name;
    if (entry.type === "folder") {
      link.href = "/workspace/" + encodePath(entry.path);
      link.innerHTML = '<i class="bi bi-folder-fill text-warning me-1" aria-hidden="true"></i>';
      link.append(entry.name);
      link.addEventListener("click", function (event) { event.preventDefault(); open(entry.path); });
    } else {
      link.href = filesUrl(entry.path);
      link.setAttribute("download", entry.name);
      link.innerHTML = '<i class="bi bi-file-earmark me-1" aria-hidden="true"></i>';
      link.append(entry.name);
    }
    name.appendChild(link);
    const size = document.createElement("td");
    size.className = "text-end text-nowrap";
    size.textContent = entry.type === "folder" ? "" : human(entry.size || 0);
    const modified = document.createElement("td");
    modified.className = "small text-nowrap";
    modified.textContent = entry.modified ? new Date(entry.modified).toLocaleString() : "";
    const shared = document.createElement("td");
    shared.className = "small";
    shared.textContent = (entry.sharedWith || []).map(function (who) { return who === "*" ? "everyone" : who; }).join(", ");
    tr.append(check, name, size, modified, shared);
    return tr;
  }

  function pages(listing) {
    const list = document.getElementById("workspace-pages");
    list.innerHTML = "";
    (listing.links || []).forEach(function (link) {
      if (link.rel !== "next" && link.rel !== "prev") return;
      const item = document.createElement("li");
      item.className = "page-item";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "page-link";
      button.textContent = link.rel === "next" ? "Next" : "Previous";
      button.addEventListener("click", function () {
        state.offset = Math.max(0, state.offset + (link.rel === "next" ? state.limit : -state.limit));
        load();
      });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  async function load() {
    showProblem("");
    const query = new URLSearchParams({ sort: state.sort, order: state.order, offset: state.offset, limit: state.limit });
    const url = filesUrl(state.path) + (state.path ? "/" : "") + "?" + query;
    const response = await request("GET", url);
    if (!response.ok) { showProblem(await problemOf(response)); return; }
    const listing = await response.json();
    state.entries = entriesOf(listing);
    const body = document.getElementById("workspace-entries");
    body.innerHTML = "";
    state.entries.forEach(function (entry) { body.appendChild(row(entry)); });
    if (!state.entries.length) {
      const empty = document.createElement("tr");
      empty.innerHTML = '<td colspan="5" class="text-muted text-center">This folder is empty.</td>';
      body.appendChild(empty);
    }
    breadcrumbs();
    pages(listing);
    selectionChanged();
    refreshQuota();
  }

  function open(path) {
    state.path = path;
    state.offset = 0;
    window.history.pushState({ path: path }, "", "/workspace/" + encodePath(path));
    load();
  }

  function selected() {
    return Array.from(document.querySelectorAll(".entry-select:checked")).map(function (box) {
      const tr = box.closest("tr");
      return { path: tr.dataset.path, type: tr.dataset.type };
    });
  }

  function selectionChanged() {
    const chosen = selected();
    const files = chosen.filter(function (entry) { return entry.type === "file"; });
    document.querySelectorAll(".selection-action").forEach(function (button) { button.disabled = chosen.length === 0; });
    document.getElementById("move-selected").disabled = chosen.length !== 1;
    document.getElementById("run-selected").disabled = files.length !== 1 || chosen.length !== 1;
  }

  function join(folder, name) {
    return folder ? folder + "/" + name : name;
  }

  function progressItem(name) {
    const item = document.createElement("div");
    item.className = "upload-item";
    item.innerHTML = '<div class="small d-flex justify-content-between"><span class="upload-name"></span><span class="upload-state">0%</span></div>' +
      '<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" style="height: .5rem"><div class="progress-bar" style="width: 0%"></div></div>';
    item.querySelector(".upload-name").textContent = name;
    document.getElementById("upload-list").appendChild(item);
    return {
      set: function (fraction) {
        const percent = Math.round(100 * fraction);
        item.querySelector(".progress-bar").style.width = percent + "%";
        item.querySelector(".progress").setAttribute("aria-valuenow", percent);
        item.querySelector(".upload-state").textContent = percent + "%";
      },
      done: function (message, failed) {
        item.querySelector(".upload-state").textContent = message;
        item.querySelector(".progress-bar").classList.add(failed ? "bg-danger" : "bg-success");
        if (!failed) setTimeout(function () { item.remove(); }, 4000);
      },
    };
  }

  // One PUT with upload progress (XMLHttpRequest reports it; fetch does not).
  function put(url, body, headers, onProgress) {
    return new Promise(function (resolve) {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.withCredentials = true;
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      Object.entries(headers).forEach(function ([name, value]) { xhr.setRequestHeader(name, value); });
      xhr.upload.onprogress = function (event) { if (event.lengthComputable) onProgress(event.loaded); };
      xhr.onload = function () {
        let detail = "";
        try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (error) { detail = xhr.statusText; }
        resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, detail: detail });
      };
      xhr.onerror = function () { resolve({ ok: false, status: 0, detail: "The connection failed." }); };
      xhr.send(body);
    });
  }

  async function upload(file, path) {
    const bar = progressItem(path);
    const url = filesUrl(path);
    let result;
    if (file.size <= CHUNK) {
      result = await put(url, file, {}, function (loaded) { bar.set(loaded / Math.max(1, file.size)); });
    } else {
      for (let start = 0; start < file.size; start += CHUNK) {
        const end = Math.min(file.size, start + CHUNK) - 1;
        result = await put(url, file.slice(start, end + 1), { "Content-Range": "bytes " + start + "-" + end + "/" + file.size },
          function (loaded) { bar.set((start + loaded) / file.size); });
        if (!result.ok) break;
      }
    }
    bar.done(result.ok ? "done" : result.detail || "failed", !result.ok);
    return result.ok;
  }

  async function uploadAll(items) {
    for (const item of items) await upload(item.file, join(state.path, item.path));
    load();
  }

  function filesFromInput(input) {
    return Array.from(input.files).map(function (file) {
      return { file: file, path: file.webkitRelativePath || file.name };
    });
  }

  // Dropped folders arrive as entries to walk; dropped files as plain files.
  function walkEntry(entry, prefix) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (file) { resolve([{ file: file, path: prefix + file.name }]); }, function () { resolve([]); });
        return;
      }
      const reader = entry.createReader();
      const collected = [];
      (function next() {
        reader.readEntries(async function (children) {
          if (!children.length) { resolve(collected); return; }
          for (const child of children) collected.push(...(await walkEntry(child, prefix + entry.name + "/")));
          next();
        }, function () { resolve(collected); });
      })();
    });
  }

  async function dropped(event) {
    const items = Array.from(event.dataTransfer.items || []);
    const entries = items.map(function (item) { return item.webkitGetAsEntry ? item.webkitGetAsEntry() : null; });
    if (entries.length && entries.every(Boolean)) {
      let all = [];
      for (const entry of entries) all = all.concat(await walkEntry(entry, ""));
      return all;
    }
    return Array.from(event.dataTransfer.files).map(function (file) { return { file: file, path: file.name }; });
  }

  async function action(path, body) {
    const response = await request("POST", filesUrl(path), {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) showProblem(await problemOf(response));
    return response.ok;
  }

  async function newFolder() {
    const name = window.prompt("Name of the new folder");
    if (name && (await action(join(state.path, name.trim()), { action: "mkdir" }))) load();
  }

  async function moveSelected() {
    const [entry] = selected();
    const target = window.prompt("New name or path (from the workspace root)", entry.path);
    if (target && target !== entry.path && (await action(entry.path, { action: "move", to: target.trim() }))) load();
  }

  async function deleteSelected() {
    const chosen = selected();
    if (!window.confirm("Delete " + chosen.length + " item(s)? Folders are deleted with everything in them.")) return;
    for (const entry of chosen) {
      const response = await request("DELETE", filesUrl(entry.path));
      if (!response.ok) { showProblem(await problemOf(response)); break; }
    }
    load();
  }

  function downloadSelected() {
    selected().filter(function (entry) { return entry.type === "file"; }).forEach(function (entry, index) {
      setTimeout(function () {
        const link = document.createElement("a");
        link.href = filesUrl(entry.path);
        link.download = entry.path.split("/").pop();
        document.body.appendChild(link);
        link.click();
        link.remove();
      }, index * 400);
    });
  }

  async function shareSelected() {
    const grantee = window.prompt("Share with which user? (a username, or * for everyone)");
    if (!grantee) return;
    for (const entry of selected()) {
      const response = await request("POST", API + "/shares", {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ path: entry.path, grantee: grantee.trim() }),
      });
      if (!response.ok) { showProblem(await problemOf(response)); break; }
    }
    load();
  }

  function runOn(event) {
    event.preventDefault();
    const [entry] = selected();
    const link = event.currentTarget;
    const query = new URLSearchParams({ f: "html" });
    query.set("input." + link.dataset.input, "workspace/" + entry.path);
    window.location.href = "/ogcapi/processes/" + encodeURIComponent(link.dataset.process) + "?" + query;
  }

  async function exposeSelected() {
    const title = window.prompt("Title of the new web service");
    if (!title) return;
    const owner = document.getElementById("workspace").dataset.username;
    const keys = selected().map(function (entry) { return "users/" + owner + "/workspace/" + entry.path; });
    const response = await request("POST", "/services/" + encodeURIComponent(owner) + "/collections", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: title, files: keys }),
    });
    if (!response.ok) { showProblem(await problemOf(response)); return; }
    window.location.href = response.headers.get("Location") + "?f=html";
  }

  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("workspace");
    if (!root) return;
    state.path = root.dataset.initialPath || "";
    document.getElementById("upload-files").addEventListener("change", function (event) { uploadAll(filesFromInput(event.target)); event.target.value = ""; });
    document.getElementById("upload-folder").addEventListener("change", function (event) { uploadAll(filesFromInput(event.target)); event.target.value = ""; });
    document.getElementById("new-folder").addEventListener("click", newFolder);
    document.getElementById("move-selected").addEventListener("click", moveSelected);
    document.getElementById("delete-selected").addEventListener("click", deleteSelected);
    document.getElementById("download-selected").addEventListener("click", downloadSelected);
    document.getElementById("share-selected").addEventListener("click", shareSelected);
    document.getElementById("expose-selected").addEventListener("click", exposeSelected);
    document.querySelectorAll(".run-process").forEach(function (link) { link.addEventListener("click", runOn); });
    document.getElementById("select-all").addEventListener("change", function (event) {
      document.querySelectorAll(".entry-select").forEach(function (box) { box.checked = event.target.checked; });
      selectionChanged();
    });
    document.querySelectorAll(".sort").forEach(function (button) {
      button.addEventListener("click", function () {
        state.order = state.sort === button.dataset.sort && state.order === "asc" ? "desc" : "asc";
        state.sort = button.dataset.sort;
        load();
      });
    });
    const drop = document.getElementById("workspace-drop");
    drop.addEventListener("dragover", function (event) { event.preventDefault(); drop.classList.add("bg-light"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("bg-light"); });
    drop.addEventListener("drop", async function (event) {
      event.preventDefault();
      drop.classList.remove("bg-light");
      uploadAll(await dropped(event));
    });
    window.addEventListener("popstate", function (event) {
      state.path = (event.state && event.state.path) || "";
      load();
    });
    load();
  });
})();
