/* The scanner for every input[data-scan] on a page (loaded by stores/_scanner_assets.html).
 *
 * A "scan with the camera" button opens the rear camera below the form; the first QR code or Code128
 * read fills the input and submits the form. A QR holds the public trace URL (https://…/t/<code>), so
 * the code is taken from it. Decoding uses the browser's own BarcodeDetector where it reads both
 * formats (Chrome on Android), and otherwise the vendored ZXing-C++ ponyfill, loaded only then.
 * After a camera scan the next page opens the camera again, so a batch of items is one tap each.
 * A USB scanner types the code and presses Enter, and typing works without any of this.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = (script && script.dataset) || {};
  var FORMATS = ["qr_code", "code_128"];
  var REOPEN = "yicang-scanner-reopen";
  var FORGET_AFTER = 2500; // ms
  var detecting = null;
  var stopActive = null;

  function text(name, fallback) {
    return config[name] || fallback;
  }

  // The code in what was read: the last path segment after /t/ of a trace URL, or the text itself.
  function codeFrom(raw) {
    var value = String(raw || "").trim();
    var match = /\/t\/([^\/?#\s]+)\/?(?:[?#].*)?$/.exec(value);
    if (!match) {
      return value;
    }
    try {
      return decodeURIComponent(match[1]);
    } catch (error) {
      return match[1];
    }
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.async = true;
      tag.onload = resolve;
      tag.onerror = function () {
        reject(new Error("could not load " + src));
      };
      document.head.appendChild(tag);
    });
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window) || !window.BarcodeDetector.getSupportedFormats) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(
      function (supported) {
        var all = FORMATS.every(function (format) {
          return supported.indexOf(format) !== -1;
        });
        return all ? new window.BarcodeDetector({ formats: FORMATS }) : null;
      },
      function () {
        return null;
      }
    );
  }

  function vendoredDetector() {
    return loadScript(config.ponyfill).then(function () {
      var api = window.BarcodeDetectionAPI;
      var wasm = new URL(config.wasm, document.baseURI).href;
      // The ponyfill would fetch its WebAssembly from a CDN; ours is served with the page.
      api.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return /\.wasm$/.test(path) ? wasm : prefix + path;
          },
        },
        fireImmediately: true,
      });
      return new api.BarcodeDetector({ formats: FORMATS });
    });
  }

  function detector() {
    if (!detecting) {
      detecting = nativeDetector().then(function (found) {
        return found || vendoredDetector();
      });
      detecting.catch(function () {
        detecting = null; // try again on the next tap
      });
    }
    return detecting;
  }

  function problem(error) {
    var name = (error && error.name) || "";
    if (name === "NotAllowedError" || name === "SecurityError") {
      return text("labelDenied", "The camera was not allowed.");
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return text("labelNoCamera", "No camera was found.");
    }
    return text("labelFailed", "The scanner could not start.");
  }

  function attach(input, index) {
    var form = input.form;
    if (!form) {
      return;
    }
    var key = location.pathname + location.search + "#" + index;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "scan-camera";
    button.setAttribute("aria-pressed", "false");
    var panel = document.createElement("div");
    panel.className = "scan-panel";
    panel.hidden = true;
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-hidden", "true");
    video.muted = true;
    var status = document.createElement("p");
    status.className = "scan-status";
    status.setAttribute("role", "status");
    panel.appendChild(video);
    panel.appendChild(status);
    input.insertAdjacentElement("afterend", button);
    form.insertAdjacentElement("afterend", panel);

    // A 2D USB scanner types the whole trace URL of a QR and presses Enter: room for it, and the code
    // taken from it before the form is sent.
    if (input.maxLength > 0 && input.maxLength < 200) {
      input.maxLength = 200;
    }
    form.addEventListener("submit", function () {
      input.value = codeFrom(input.value);
    });
    // A code kept after a failed scan is selected, so the next scan replaces it instead of adding to it.
    if (input.value && input.hasAttribute("autofocus")) {
      input.focus();
      input.select();
    }
    var stream = null;
    var running = false;
    // After a camera scan the camera opens again on the next page, where the item just scanned is
    // probably still in view: it is skipped until it has been out of view for a moment.
    var ignored = "";
    var ignoredSeen = 0;

    function showClosed() {
      button.textContent = text("labelOpen", "Scan with the camera");
      button.setAttribute("aria-pressed", "false");
    }

    function stop() {
      running = false;
      if (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
      }
      stream = null;
      video.srcObject = null;
      panel.hidden = true;
      showClosed();
    }

    function fail(message) {
      stop();
      sessionStorage.removeItem(REOPEN);
      panel.hidden = false;
      status.textContent = message;
    }

    function found(code) {
      input.value = code;
      if (navigator.vibrate) {
        navigator.vibrate(60);
      }
      sessionStorage.setItem(REOPEN, JSON.stringify({ key: key, last: code }));
      stop();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function look(reader) {
      if (!running) {
        return;
      }
      if (video.readyState < 2) {
        setTimeout(look, 100, reader);
        return;
      }
      reader.detect(video).then(
        function (codes) {
          var code = codes.length ? codeFrom(codes[0].rawValue) : "";
          if (!running) {
            return;
          }
          if (ignored && code === ignored) {
            code = ""; // still the item just scanned: wait for the next one
            ignoredSeen = Date.now();
          } else if (ignored && !code && Date.now() - ignoredSeen > FORGET_AFTER) {
            ignored = ""; // out of view for a while: scanning it again is meant
          }
          if (code) {
            found(code);
          } else {
            setTimeout(look, 120, reader);
          }
        },
        function () {
          setTimeout(look, 250, reader);
        }
      );
    }

    function start(skip) {
      if (stopActive && stopActive !== stop) {
        stopActive(); // one camera at a time, on a page with several scanning forms
      }
      stopActive = stop;
      ignored = skip || "";
      ignoredSeen = Date.now();
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        fail(window.isSecureContext ? text("labelNoCamera", "No camera.") : text("labelInsecure", "HTTPS needed."));
        return;
      }
      running = true;
      panel.hidden = false;
      status.textContent = text("labelLooking", "Point the camera at the code.");
      button.textContent = text("labelClose", "Stop the camera");
      button.setAttribute("aria-pressed", "true");
      var reading = detector();
      navigator.mediaDevices
        .getUserMedia({ audio: false, video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } } })
        .then(function (camera) {
          if (!running) {
            camera.getTracks().forEach(function (track) {
              track.stop();
            });
            return null;
          }
          stream = camera;
          video.srcObject = camera;
          return video.play();
        })
        .then(function () {
          return reading;
        })
        .then(function (reader) {
          look(reader);
        })
        .catch(function (error) {
          if (running) {
            fail(problem(error));
          }
        });
    }

    button.addEventListener("click", function () {
      if (running) {
        sessionStorage.removeItem(REOPEN);
        stop();
      } else {
        start("");
      }
    });
    // A phone that locks or switches apps gives the camera back.
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && running) {
        stop();
      }
    });
    window.addEventListener("pagehide", function () {
      if (running) {
        stop();
      }
    });
    showClosed();
    var reopen = null;
    try {
      reopen = JSON.parse(sessionStorage.getItem(REOPEN) || "null");
    } catch (error) {
      reopen = null;
    }
    if (reopen && reopen.key === key) {
      start(reopen.last);
    }
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-scan]"), attach);
  }

  window.YicangScanner = { codeFrom: codeFrom, detector: detector };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
