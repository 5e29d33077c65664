/* The article editor: the preview follows the typing, and typed text is not lost.
 *
 * - Without JavaScript, 「プレビュー」 posts the form into the preview frame. Here the same
 *   button is pressed for the editor a moment after they stop typing, so the public page's
 *   look, kb check's problems and the queries' ranks stay next to what is being written.
 * - Leaving the page with unsaved changes asks first (a link, 「/」 for the lookup, closing).
 * - What is typed is also kept in this browser (localStorage) until it is saved: when a save
 *   fails (the login expired, the form was too large), the edit page offers it back.
 */
(function () {
  "use strict";

  var DELAY_MS = 900;

  function start() {
    var form = document.querySelector("[data-article-editor]");
    if (!form || typeof form.requestSubmit !== "function") return;
    var button = form.querySelector('button[value="preview"]');
    var status = form.querySelector("[data-preview-status]");
    var frame = document.getElementById("article-preview");
    var key = "helpdesk-editor:" + form.getAttribute("action");
    var timer = null;
    var dirty = false;
    var leaving = false;

    function fields() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.type !== "hidden" && field.type !== "submit") {
          values[field.name] = field.type === "checkbox" ? field.checked : field.value;
        }
      });
      return values;
    }

    function keep() {
      try {
        window.localStorage.setItem(key, JSON.stringify({ saved: Date.now(), fields: fields() }));
      } catch (error) {
        /* storage full or blocked: the warning on leaving still protects the text */
      }
    }

    function kept() {
      try {
        return JSON.parse(window.localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    }

    function forget() {
      try { window.localStorage.removeItem(key); } catch (error) { /* nothing kept */ }
    }

    function refresh() {
      timer = null;
      if (status) status.textContent = "プレビューを更新しています…";
      form.requestSubmit(button);
    }

    // A page saved successfully says so: what was kept in the browser is now on the server.
    if (document.querySelector(".flash-success")) forget();
    var previous = kept();
    if (previous && JSON.stringify(previous.fields) !== JSON.stringify(fields())) {
      var offer = document.createElement("div");
      offer.className = "flash flash-error";
      offer.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = "この画面で保存されなかった入力が、このブラウザに残っています（" +
        new Date(previous.saved).toLocaleString("ja-JP") + "）。";
      var restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = "残っている入力を戻す";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "secondary";
      discard.textContent = "捨てる";
      restore.addEventListener("click", function () {
        Array.prototype.forEach.call(form.elements, function (field) {
          if (!Object.prototype.hasOwnProperty.call(previous.fields, field.name)) return;
          if (field.type === "checkbox") field.checked = previous.fields[field.name];
          else field.value = previous.fields[field.name];
        });
        offer.remove();
        dirty = true;
        refresh();
      });
      discard.addEventListener("click", function () { forget(); offer.remove(); });
      offer.appendChild(text);
      offer.appendChild(restore);
      offer.appendChild(document.createTextNode(" "));
      offer.appendChild(discard);
      form.parentNode.insertBefore(offer, form);
    }

    form.addEventListener("input", function () {
      dirty = true;
      keep();
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || submitter.value !== "preview") leaving = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty || leaving) return;
      event.preventDefault();
      event.returnValue = "";
    });
    if (frame) {
      frame.addEventListener("load", function () {
        if (!status || !status.textContent) return;
        var shown = null;
        try {
          shown = frame.contentDocument && frame.contentDocument.querySelector(".preview-panel");
        } catch (error) {
          shown = null;
        }
        status.textContent = shown
          ? "プレビューを更新しました。"
          : "プレビューを表示できませんでした（入力が大きすぎるか、ログインが切れた可能性があります）。入力はこのブラウザに残っています。";
      });
    }
    refresh(); // the draft's own state from the start, not the published file's
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
