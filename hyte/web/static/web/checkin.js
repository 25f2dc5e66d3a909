/* The desk's check-in page: one tap marks a pass visit.
   Each mark gets its own idempotency key and today's date and is stored in this browser (localStorage)
   before it is sent, so a mark made offline waits here and is sent when the connection is back (on the
   "online" event, when the page loads, with "Send now", and once a minute while any wait). A mark sent
   twice counts once on the server because its key is the same. A mark leaves the queue when the server
   has taken it (201, or 200 for a repeat) or refused it for good (a 4xx about the mark itself); a lost
   connection, a server error (5xx), an ended login (401/403) or throttling (429) keep it queued.
   All texts come from the page (translated there): nothing here is in any language. */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  var form = document.getElementById("checkin-form");
  if (!root || !form || !window.fetch || !window.Promise) { return; }  // the form still posts to the page

  var strings = JSON.parse(document.getElementById("checkin-strings").textContent);
  var tokenInput = document.getElementById("checkin-token");
  var serviceSelect = document.getElementById("checkin-service");
  var markButton = document.getElementById("checkin-mark");
  var resultBox = document.getElementById("checkin-result");
  var errorBox = document.getElementById("checkin-error");
  var queueRow = document.getElementById("checkin-queue-row");
  var queueBox = document.getElementById("checkin-queue");
  var sendButton = document.getElementById("checkin-send");
  var scanButton = document.getElementById("checkin-scan");
  var video = document.getElementById("checkin-video");

  var QUEUE_KEY = "hyte.checkin.queue." + root.dataset.user;  // per user: a shared tablet
  var SERVICE_KEY = "hyte.checkin.service." + root.dataset.user;
  var BATCH_SIZE = 100;  // the batch endpoint takes at most 500
  var memory = [];  // the queue when localStorage cannot be used (private browsing)
  var inFlight = {};  // keys being sent right now
  var flushing = false;

  // --- texts ---

  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function counted(forms, count) {
    return fill(forms[count === 1 ? 0 : 1], { count: count });
  }

  function lines(box, texts) {
    box.textContent = "";
    texts.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    });
  }

  /* ok: lines for the status (null keeps what is there); errors: lines for the alert. */
  function show(ok, errors) {
    if (ok !== null) { lines(resultBox, ok); }
    lines(errorBox, errors || []);
  }

  function day(iso) {
    var parts = String(iso).split("-");
    var date = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return isNaN(date.getTime()) ? iso : date.toLocaleDateString(document.documentElement.lang || undefined);
  }

  // --- the queue ---

  function valid(mark) {
    return mark && typeof mark.key === "string" && typeof mark.token === "string" && typeof mark.service === "string";
  }

  function load() {
    try {
      var list = JSON.parse(window.localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(list) ? list.filter(valid) : [];
    } catch (e) {
      return memory.slice();
    }
  }

  function save(list) {
    memory = list.slice();
    try {
      if (list.length) { window.localStorage.setItem(QUEUE_KEY, JSON.stringify(list)); }
      else { window.localStorage.removeItem(QUEUE_KEY); }
    } catch (e) { /* kept in memory for this page */ }
  }

  function enqueue(mark) {
    var list = load();
    list.push(mark);
    save(list);
    showQueue();
  }

  function dequeue(keys) {
    if (!keys.length) { return; }
    save(load().filter(function (mark) { return keys.indexOf(mark.key) < 0; }));
    showQueue();
  }

  function showQueue() {
    var count = load().length;
    queueBox.textContent = counted(strings.waiting, count);
    queueBox.dataset.count = String(count);
    sendButton.disabled = count === 0;
    queueRow.hidden = false;
  }

  function newKey() {
    var cryptoApi = window.crypto;
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") { return cryptoApi.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (cryptoApi && cryptoApi.getRandomValues) { cryptoApi.getRandomValues(bytes); }
    else { for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); } }
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function today() {
    var now = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  }

  /* The QR code holds the bare token; a link ending in /<token>/ gives its last path segment. */
  function tokenFrom(value) {
    value = String(value || "").trim();
    if (value.indexOf("/") >= 0) {
      var segments = value.split(/[?#]/)[0].split("/").filter(Boolean);
      value = segments.length ? segments[segments.length - 1] : "";
    }
    return value;
  }

  // --- sending ---

  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data || {} };
      });
    });
  }

  /* "taken" (remove, it counts), "refused" (remove, show why) or "retry" (keep queued). */
  function outcome(status) {
    if (status === 200 || status === 201) { return "taken"; }
    if (status >= 400 && status < 500 && [401, 403, 408, 425, 429].indexOf(status) < 0) { return "refused"; }
    return "retry";
  }

  function retryText(status) {
    return status === 401 || status === 403 ? strings.login : strings.server;
  }

  function markedLines(data) {
    var out = [counted(strings.marked, Number(data.visits) || 0)];
    var waiting = Array.isArray(data.rewards_waiting) ? data.rewards_waiting.length : 0;
    if (data.reward) { out.push(fill(strings.reward, { reward: data.reward })); }
    else if (waiting) { out.push(counted(strings.rewards_waiting, waiting)); }
    if (data.programme) { out.push(data.programme); }
    return out;
  }

  function refusedLine(mark, message) {
    return fill(strings.refused_mark, { token: mark.token, day: day(mark.on), message: message || strings.refused });
  }

  /* A new mark: sent at once on its own, so the desk sees the count or the reason right away. */
  function sendOne(mark) {
    if (!navigator.onLine) { show([strings.offline], []); return; }
    inFlight[mark.key] = true;
    post(root.dataset.url, mark).then(function (answer) {
      delete inFlight[mark.key];
      var result = outcome(answer.status);
      if (result === "taken") {
        dequeue([mark.key]);
        show(markedLines(answer.data), []);
        flush(true);  // older marks waiting here go too
      } else if (result === "refused") {
        dequeue([mark.key]);
        show([], [answer.data.message || strings.refused]);
      } else {
        show([], [retryText(answer.status)]);
      }
    }, function () {
      delete inFlight[mark.key];
      show([strings.offline], []);
    });
  }

  /* A batch was refused as a whole (a malformed mark): send its marks one by one, so only that one is. */
  function oneByOne(marks, report) {
    return marks.reduce(function (chain, mark) {
      return chain.then(function (go) {
        if (!go) { return false; }
        return post(root.dataset.url, mark).then(function (answer) {
          var result = outcome(answer.status);
          if (result === "taken") { report.sent += 1; report.done.push(mark.key); return true; }
          if (result === "refused") {
            report.errors.push(refusedLine(mark, answer.data.message));
            report.done.push(mark.key);
            return true;
          }
          report.errors.push(retryText(answer.status));
          return false;
        });
      });
    }, Promise.resolve(true));
  }

  /* The marks waiting in this browser, in batches; quiet: say nothing when all went well. */
  function flush(quiet) {
    if (flushing) { return Promise.resolve(); }
    if (!navigator.onLine) {
      if (!quiet && load().length) { show([strings.offline], []); }
      return Promise.resolve();
    }
    var marks = load().filter(function (mark) { return !inFlight[mark.key]; }).slice(0, BATCH_SIZE);
    if (!marks.length) { return Promise.resolve(); }
    flushing = true;
    marks.forEach(function (mark) { inFlight[mark.key] = true; });
    var report = { sent: 0, rewards: [], errors: [], done: [], offline: false };
    var byKey = {};
    marks.forEach(function (mark) { byKey[mark.key] = mark; });
    return post(root.dataset.batchUrl, { marks: marks }).then(function (answer) {
      if (answer.status === 200 && Array.isArray(answer.data.results)) {
        answer.data.results.forEach(function (item) {
          var mark = byKey[item.key];
          if (!mark) { return; }
          report.done.push(item.key);
          if (item.ok) {
            report.sent += 1;
            if (item.reward) { report.rewards.push(fill(strings.reward, { reward: item.reward })); }
          } else {
            report.errors.push(refusedLine(mark, item.message));
          }
        });
        return null;
      }
      if (answer.status === 400) { return oneByOne(marks, report); }
      report.errors.push(retryText(answer.status));
      return null;
    }, function () {
      report.offline = true;
    }).then(function () {
      marks.forEach(function (mark) { delete inFlight[mark.key]; });
      flushing = false;
      dequeue(report.done);
      if (report.offline) {
        if (!quiet) { show([strings.offline], []); }
        return null;
      }
      var ok = report.sent ? [counted(strings.sent, report.sent)].concat(report.rewards) : [];
      if (!quiet || report.rewards.length || report.errors.length) {
        show(quiet && !report.rewards.length ? null : ok, report.errors);
      }
      if (report.done.length && load().some(function (mark) { return !inFlight[mark.key]; })) {
        return flush(quiet);  // the next batch
      }
      return null;
    });
  }

  // --- the form ---

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = tokenFrom(tokenInput.value);
    if (!serviceSelect.value) { show([], [strings.no_service]); serviceSelect.focus(); return; }
    if (!token) { show([], [strings.no_token]); tokenInput.focus(); return; }
    var mark = { token: token, service: serviceSelect.value, key: newKey(), on: today() };
    enqueue(mark);  // first: nothing is lost if the page or the connection goes now
    tokenInput.value = "";
    tokenInput.focus();
    sendOne(mark);
  });

  try {
    var remembered = window.localStorage.getItem(SERVICE_KEY);
    if (remembered && serviceSelect.querySelector('option[value="' + remembered.replace(/[^0-9a-fA-F-]/g, "") + '"]')) {
      serviceSelect.value = remembered;
    }
  } catch (e) { /* no storage: the first service is chosen */ }
  serviceSelect.addEventListener("change", function () {
    try { window.localStorage.setItem(SERVICE_KEY, serviceSelect.value); } catch (e) { /* not remembered */ }
  });

  sendButton.addEventListener("click", function () { flush(false); });
  window.addEventListener("online", function () { flush(false); });
  window.addEventListener("offline", showQueue);
  window.addEventListener("storage", function (event) { if (event.key === QUEUE_KEY) { showQueue(); } });
  window.setInterval(function () { if (load().length) { flush(true); } }, 60000);

  // --- scanning the QR code (where the browser has a barcode detector) ---

  var stream = null;
  var detector = null;

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    scanButton.textContent = strings.scan;
  }

  function look() {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      var token = "";
      codes.forEach(function (code) { token = token || tokenFrom(code.rawValue); });
      if (token && stream) {
        tokenInput.value = token;
        stopCamera();
        show([strings.scanned], []);
        markButton.focus();
        return;
      }
      window.setTimeout(look, 200);
    }, function () { window.setTimeout(look, 400); });
  }

  function startCamera() {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      show([], [strings.camera]);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      scanButton.textContent = strings.stop_scan;
      show([strings.scanning], []);
      return video.play().then(look);
    }).catch(function () {
      stopCamera();
      show([], [strings.camera]);
      tokenInput.focus();
    });
  }

  if (window.BarcodeDetector && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    var canScan = typeof window.BarcodeDetector.getSupportedFormats === "function"
      ? window.BarcodeDetector.getSupportedFormats()
      : Promise.resolve(["qr_code"]);
    canScan.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) { scanButton.hidden = false; }
    }, function () { /* typing only */ });
    scanButton.addEventListener("click", function () { if (stream) { stopCamera(); } else { startCamera(); } });
    window.addEventListener("pagehide", stopCamera);
  }

  showQueue();
  flush(false);
})();
