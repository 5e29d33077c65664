/* The article editor: the preview follows the typing.
 *
 * Without JavaScript, 「プレビュー」 posts the form into the preview frame. Here the same
 * button is pressed for the editor a moment after they stop typing, so the public page's look,
 * kb check's problems and the queries' ranks stay next to what is being written.
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
    var timer = null;

    function refresh() {
      timer = null;
      if (status) status.textContent = "プレビューを更新しています…";
      form.requestSubmit(button);
    }

    form.addEventListener("input", function () {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
    if (frame) {
      frame.addEventListener("load", function () {
        if (status && status.textContent) status.textContent = "プレビューを更新しました。";
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
