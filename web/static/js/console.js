// The console's keyboard helpers. Every page works without this file; it only adds:
// - quick lookup: results while typing, Enter opens the first result in a new tab (the console
//   stays where it is), "/" on any console page goes to the lookup box;
// - "copy answer" buttons (the one-line answer and the article's address).
(function () {
  "use strict";

  var status = document.getElementById("copy-status");

  // A problem or conflict shown after a form came back: focus (and a screen reader) goes there.
  var problem = document.querySelector("[data-focus-on-load]");
  if (problem) { problem.focus(); }

  function announce(text) {
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  function copy(button) {
    var text = button.getAttribute("data-copy") || "";
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    function copied(ok) {
      button.textContent = ok ? "コピーしました" : "コピーできませんでした";
      button.classList.toggle("copied", ok);
      announce(ok ? "回答と記事のURLをコピーしました。" : "コピーできませんでした。回答を選択してコピーしてください。");
      window.setTimeout(function () {
        button.textContent = label;
        button.classList.remove("copied");
      }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(true); }, function () {
        copied(copyWithSelection(text));
      });
    } else {
      copied(copyWithSelection(text));
    }
  }

  function showCopyButtons(root) {
    var buttons = root.querySelectorAll("button.copy-answer");
    for (var i = 0; i < buttons.length; i += 1) { buttons[i].hidden = false; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy-answer") : null;
    if (button) {
      event.preventDefault();
      copy(button);
    }
  });

  showCopyButtons(document);

  var input = document.getElementById("lookup-q");
  var results = document.getElementById("lookup-results");

  // "/" from anywhere in the console: the lookup box here, or the lookup page.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    event.preventDefault();
    if (input) {
      input.focus();
      input.select();
      return;
    }
    var link = document.querySelector("a[data-lookup-link]");
    if (link) { window.location.href = link.href; }
  });

  if (!input || !results) { return; }

  var timer = null;
  var latest = 0;

  function firstResult() {
    return results.querySelector("a[data-first-result]");
  }

  function refresh() {
    var query = input.value.trim();
    var ticket = latest += 1;
    if (!query) {
      results.innerHTML = "";
      results.setAttribute("data-query", "");
      return;
    }
    var url = input.getAttribute("data-fragment-url") + "&q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== latest) { return; }
        results.innerHTML = html;  // rendered (and escaped) by the server's template
        results.setAttribute("data-query", query);
        showCopyButtons(results);
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", "?q=" + encodeURIComponent(query));
        }
      })
      .catch(function () { /* the form still works: Enter submits it */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) { return; }
    var first = firstResult();
    if (first && results.getAttribute("data-query") === input.value.trim()) {
      event.preventDefault();
      // The article opens beside the console: an agent on the phone keeps the lookup.
      window.open(first.href, "_blank", "noopener");
    }
  });

  // The results page: the box keeps focus with the query selected, ready for Enter or a new one.
  if (document.activeElement === input) { input.select(); }
})();
