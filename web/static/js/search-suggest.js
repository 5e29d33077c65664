/*
 * Search-as-you-type for the FAQ search boxes (input[data-suggest-url]).
 *
 * A progressive enhancement: without this file the box is a plain search form. With it, the
 * box becomes an ARIA 1.2 combobox with a listbox popup (WAI-ARIA Authoring Practices,
 * "list autocomplete"): ↓/↑ move through the suggestions, Enter opens the chosen article,
 * Escape closes the list, and focus stays in the box throughout.
 *
 * Suggestions are written with textContent only, never as HTML.
 */
(function () {
  "use strict";

  var DELAY_MS = 150; // wait for a pause in typing before asking the server
  var MAX_CHARS = 400; // the server's limit for a query

  function enhance(input) {
    var endpoint = input.getAttribute("data-suggest-url");
    var field = input.parentElement;
    var listId = input.id + "-suggestions";

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "検索候補");
    list.hidden = true;
    field.appendChild(list);

    // Screen readers hear how many suggestions there are without leaving the box.
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    field.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var suggestions = [];
    var active = -1;
    var timer = null;
    var sequence = 0;
    var lastQuery = null;

    function isOpen() {
      return !list.hidden;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (suggestions.length === 0) {
        return;
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function setActive(index) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[active];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var suggestion = suggestions[index];
      // Only paths of this site: a suggestion can never send the browser elsewhere.
      if (suggestion && /^\/[^/\\]/.test(suggestion.url)) {
        close();
        window.location.assign(suggestion.url);
      }
    }

    function render(items) {
      suggestions = items;
      list.textContent = "";
      active = -1;
      items.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.className = "suggest-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.className = "suggest-text";
        text.textContent = item.text;
        option.appendChild(text);
        if (item.title && item.title !== item.text) {
          var title = document.createElement("span");
          title.className = "suggest-title";
          title.textContent = "→ " + item.title;
          option.appendChild(title);
        }
        option.addEventListener("click", function () {
          choose(index);
        });
        list.appendChild(option);
      });
      status.textContent = items.length
        ? "候補が" + items.length + "件あります。上下の矢印キーで選び、Enterキーで開きます。"
        : "";
      if (items.length && document.activeElement === input) {
        open();
      } else {
        close();
      }
    }

    function request() {
      var query = input.value.trim();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (!query || query.length > MAX_CHARS) {
        render([]);
        return;
      }
      var url;
      try {
        url = endpoint + "?q=" + encodeURIComponent(query);
      } catch (error) {
        return; // text that cannot be sent (a broken surrogate pair): no suggestions
      }
      var mine = ++sequence;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (mine === sequence) {
            render(Array.isArray(data.suggestions) ? data.suggestions : []);
          }
        })
        .catch(function () {
          if (mine === sequence) {
            render([]); // offline or the server is busy: the form still works
          }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(request, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      // While a Japanese IME is converting, the keys belong to the IME.
      if (event.isComposing || event.keyCode === 229) {
        return;
      }
      var count = suggestions.length;
      switch (event.key) {
        case "ArrowDown":
          if (!count) {
            return;
          }
          event.preventDefault();
          open();
          setActive(active + 1 < count ? active + 1 : 0);
          break;
        case "ArrowUp":
          if (!count) {
            return;
          }
          event.preventDefault();
          open();
          setActive(active > 0 ? active - 1 : count - 1);
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    // Clicking an option must not take the focus away from the box before the click lands.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    input.addEventListener("blur", close);
    input.addEventListener("focus", function () {
      if (suggestions.length && input.value.trim() === lastQuery) {
        open();
      }
    });
    // Coming back with the browser's back button shows the page as it was left: closed.
    window.addEventListener("pageshow", close);
  }

  var inputs = document.querySelectorAll("input[data-suggest-url]");
  for (var i = 0; i < inputs.length; i += 1) {
    if (inputs[i].id) {
      enhance(inputs[i]);
    }
  }
})();
