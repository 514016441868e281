// A phone without signal (issue 14 item 9). Loaded on every page (templates/base.html):
// - registers the service worker (/sw.js, workbench.views.service_worker) and asks it to keep a
//   copy of the page it is on, with its assets, when the page is marked data-offline-page;
// - a form marked data-offline (event report, visit) is sent by fetch with a key made on the
//   phone when it is first filled (crypto.randomUUID; the server files a key once,
//   kernel.submits); its photos are made smaller first (canvas → JPEG, longest side 1600 px);
//   when the send fails for lack of network, what was filed waits in IndexedDB and is sent on
//   the next page load and when the signal returns (`online`), then removed;
// - window.zhenjieOffline.tracks keeps a patrol's points for grid/patrol.js.
// Everything shown is set as text.
(function () {
  "use strict";
  const DB_NAME = "zhenjie-offline", OUTBOX = "outbox", TRACKS = "tracks";
  const WAITING = "已保存在手机上，待网络恢复后自动上报";
  const MAX_SIDE = 1600, QUALITY = 0.85;
  // Whose phone session this is (templates/base.html): a form waits for the one who filed it,
  // and is sent only while they are signed in — never under the next user of a shared phone.
  const USER = document.body.dataset.user || "";

  // ---- IndexedDB ----------------------------------------------------------------------------
  let opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("IndexedDB unavailable")); return; }
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          const db = request.result;
          if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "key" });
          if (!db.objectStoreNames.contains(TRACKS)) db.createObjectStore(TRACKS, { keyPath: "patrol" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }
  function run(name, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(name, mode);
        const request = work(transaction.objectStore(name));
        transaction.oncomplete = function () { resolve(request.result); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }
  function storeOf(name) {
    return {
      get: function (key) { return run(name, "readonly", function (s) { return s.get(key); }); },
      all: function () { return run(name, "readonly", function (s) { return s.getAll(); }); },
      count: function () { return run(name, "readonly", function (s) { return s.count(); }); },
      put: function (value) { return run(name, "readwrite", function (s) { return s.put(value); }); },
      remove: function (key) { return run(name, "readwrite", function (s) { return s.delete(key); }); },
    };
  }
  const outbox = storeOf(OUTBOX);
  window.zhenjieOffline = { tracks: storeOf(TRACKS) };

  // ---- the status line --------------------------------------------------------------------
  let banner = null;
  function bannerParts() {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "alert alert-warning offline-status d-none";
      banner.setAttribute("role", "status");
      banner.setAttribute("data-testid", "offline-status");
      const waiting = document.createElement("div"), note = document.createElement("div");
      waiting.setAttribute("data-testid", "offline-waiting");
      note.setAttribute("data-testid", "offline-note");
      banner.append(waiting, note);
      const main = document.querySelector("main") || document.body;
      main.insertBefore(banner, main.firstChild);
    }
    return { box: banner, waiting: banner.children[0], note: banner.children[1] };
  }
  function mine() {
    return outbox.all().then(function (entries) { return entries.filter(function (entry) { return USER && entry.user === USER; }); });
  }
  function refresh() {
    return mine().then(function (entries) {
      const count = entries.length;
      const parts = bannerParts();
      parts.waiting.textContent = count ? WAITING + "（" + count + "条待上报）" : "";
      parts.box.classList.toggle("d-none", !count && !parts.note.textContent);
    }).catch(function () {});
  }
  function say(text, danger) {
    const parts = bannerParts();
    parts.note.textContent = text;
    parts.box.classList.toggle("alert-danger", !!danger);
    parts.box.classList.toggle("alert-warning", !danger);
    parts.box.classList.remove("d-none");
  }

  // ---- keys and photos --------------------------------------------------------------------
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));  // crypto.randomUUID needs https
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function keyOf(form) {
    const input = form.querySelector("[name=client_key]");
    if (input && !input.value) input.value = newKey();
    return input ? input.value : newKey();
  }
  // Smaller photos for a slow link: drawn upright (the EXIF orientation applied), at most
  // MAX_SIDE on the longest side, as JPEG; the original is kept when that is not smaller.
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp|heic|heif)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    }).then(function (blob) {
      if (!blob || blob.size >= file.size) return file;
      return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg", lastModified: Date.now() });
    }).catch(function () { return file; });
  }
  function shrinkInputs(form) {
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () {
        const files = Array.from(input.files || []);
        if (!files.length || !window.DataTransfer) return;
        input.dataset.shrinking = "1";
        form.zhenjieShrinking = Promise.all(files.map(shrink)).then(function (smaller) {
          const transfer = new DataTransfer();
          smaller.forEach(function (file) { transfer.items.add(file); });
          input.files = transfer.files;  // setting files fires no change event
        }).catch(function () {}).finally(function () { delete input.dataset.shrinking; });
      });
    });
  }

  // ---- sending ----------------------------------------------------------------------------
  function cookie(name) {
    const hit = document.cookie.split("; ").find(function (part) { return part.startsWith(name + "="); });
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }
  function entryOf(form) {
    const fields = [], files = [];
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) { if (value.size || value.name) files.push([name, value, value.name]); }
      else fields.push([name, value]);
    });
    return { key: keyOf(form), user: USER, url: form.action || location.href, label: form.dataset.offline || "填报", filed: new Date().toISOString(), fields: fields, files: files };
  }
  // Resolves {sent, url, message} | {refused, message, fields} | {through: false}; rejects when
  // the network is not there.
  function send(entry) {
    const body = new FormData();
    entry.fields.forEach(function (pair) { if (pair[0] !== "csrfmiddlewaretoken") body.append(pair[0], pair[1]); });
    entry.files.forEach(function (file) { body.append(file[0], file[1], file[2]); });
    // The token of now: logging in again since the form was filed changes it.
    const token = cookie("csrftoken") || (entry.fields.find(function (pair) { return pair[0] === "csrfmiddlewaretoken"; }) || [])[1] || "";
    return fetch(entry.url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": token } })
      .then(function (response) {
        if (!(response.headers.get("Content-Type") || "").includes("application/json")) return { through: false, status: response.status };
        return response.json().then(function (answer) {
          if (response.ok) return { sent: true, url: answer.url, message: answer.message };
          if (response.status >= 400 && response.status < 500) return { refused: true, message: answer.message, fields: answer.fields || {} };
          return { through: false, status: response.status };
        });
      });
  }

  function showRefusal(form, result) {
    let box = form.querySelector("[data-offline-error]");
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      box.setAttribute("data-offline-error", "");
      box.setAttribute("data-testid", "form-error");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = result.message || "填写有误，请检查后重新提交";
  }
  function emptied(form) {
    form.reset();
    const key = form.querySelector("[name=client_key]");
    if (key) key.value = "";  // the next report is another form
    form.querySelectorAll("input[type=file]").forEach(function (input) { input.dispatchEvent(new Event("change")); });
  }
  function fillTime(form) {
    // A queued visit keeps the time it was filed, not the time the signal came back.
    const input = form.dataset.offlineNow && form.querySelector("[name='" + form.dataset.offlineNow + "']");
    if (input && !input.value) {
      const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
      input.value = now.toISOString().slice(0, 16);
    }
  }

  function wire(form) {
    shrinkInputs(form);
    form.addEventListener("input", function () { keyOf(form); });
    form.addEventListener("submit", function (event) {
      if (form.dataset.native) return;
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      keyOf(form);
      fillTime(form);
      Promise.resolve(form.zhenjieShrinking).then(function () {
        const entry = entryOf(form);
        return send(entry).then(function (result) {
          if (result.sent) { location.assign(result.url); return; }
          if (result.refused) { showRefusal(form, result); if (button) button.disabled = false; return; }
          // Through, but not to the form (signed out, a server error): let the page say so.
          form.dataset.native = "1";
          HTMLFormElement.prototype.submit.call(form);
        }, function () {
          return outbox.put(entry).then(function () {
            emptied(form);
            if (button) button.disabled = false;
            say(entry.label + "未能发出：没有网络。");
            return refresh();
          }, function () {
            if (button) button.disabled = false;
            say("没有网络，且本机无法保存，请有信号时再提交", true);
          });
        });
      });
    });
  }

  // ---- the queue goes out -----------------------------------------------------------------
  let flushing = false;
  function flushNow() {
    return mine().then(function (entries) {
      return entries.reduce(function (chain, entry) {
        return chain.then(function () {
          return send(entry).then(function (result) {
            if (result.sent) return outbox.remove(entry.key).then(function () { say("已自动上报：" + entry.label + "（" + result.message + "）"); });
            if (result.refused) return outbox.remove(entry.key).then(function () { say(entry.label + "未被接收：" + result.message, true); });
            if (result.status === 403 || result.status === 200) say("请重新登录，待上报的内容将在登录后自动上报", true);
          }, function () { /* still no signal: it waits */ });
        });
      }, Promise.resolve());
    });
  }
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    const work = navigator.locks ? navigator.locks.request("zhenjie-outbox", flushNow) : flushNow();
    return work.catch(function () {}).finally(function () { flushing = false; return refresh(); });
  }

  // ---- the service worker -----------------------------------------------------------------
  function keepPage(registration) {
    if (!document.querySelector("[data-offline-page]") || !registration.active) return;
    const urls = [location.pathname + location.search];
    document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=icon][href]").forEach(function (node) {
      const url = new URL(node.src || node.href, location.href);
      if (url.origin === location.origin) urls.push(url.pathname + url.search);
    });
    registration.active.postMessage({ keep: urls });
  }
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(keepPage).catch(function () {});
  }

  document.querySelectorAll("form[data-offline]").forEach(wire);
  window.addEventListener("online", flush);
  flush();
})();
