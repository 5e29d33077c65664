/* The chat: a widget on every page (a button that opens a small panel), and /chat itself.
 *
 * Progressive enhancement: without JavaScript the site links to /chat, a plain form. With it,
 * one conversation per browser tab (its session token and what was said, in sessionStorage)
 * is shared by the widget and the /chat page, so it follows the person from page to page;
 * the server keeps the masked transcript for the contact form. 「新しい会話」 starts afresh,
 * and so does the thanks page of the contact form the conversation was attached to.
 * Everything shown is set with textContent: replies are never parsed as HTML.
 */
(function () {
  "use strict";

  var STORE_KEY = "helpdesk-chat";
  var ENDPOINT = "/api/chat";
  var MAX_CHARS = 1000;
  var WELCOME =
    "こんにちは。医療扶助のオンライン資格確認についてのご質問にお答えします。" +
    "知りたいことを入力するか、下の項目から選んでください。";
  var STARTERS = ["制度の概要", "導入の流れ", "画面の表示", "助成金について", "問い合わせ先"];

  var script = document.currentScript;

  function loadState() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.turns)) return saved;
    } catch (error) {
      /* storage blocked or damaged: start afresh */
    }
    return freshState();
  }

  function freshState() {
    return { session: null, turns: [], quick: STARTERS.slice(), handoffUrl: null, open: false };
  }

  function saveState(state) {
    try {
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (error) {
      /* private mode: the chat still works on this page */
    }
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function addStylesheet() {
    if (!script || !script.src) return;
    var href = script.src.replace(/js\/chat\.js(\?.*)?$/, "css/chat.css");
    if (document.querySelector('link[href="' + href + '"]')) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
  }

  function build() {
    var root = el("div", { class: "chat-widget", "data-chat-widget": "" });
    var launcher = el("button", {
      type: "button",
      class: "chat-launcher",
      "data-chat-toggle": "",
      "aria-expanded": "false",
      "aria-controls": "chat-panel",
    }, "チャットで質問");
    var panel = el("section", {
      id: "chat-panel",
      class: "chat chat-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "chat-panel-title",
    });
    panel.hidden = true;
    var header = el("div", { class: "chat-panel-header" });
    header.appendChild(el("h2", { id: "chat-panel-title", class: "chat-panel-title" }, "チャットで質問"));
    var tools = el("div", { class: "chat-panel-tools" });
    var restart = el("button", { type: "button", class: "chat-new" }, "新しい会話");
    var close = el("button", { type: "button", class: "chat-close", "aria-label": "チャットを閉じる" }, "×");
    tools.appendChild(restart);
    tools.appendChild(close);
    header.appendChild(tools);
    var note = el("p", { class: "chat-privacy" },
      "患者さんの情報（氏名・マイナンバー・受給者番号など）は入力しないでください。");
    // The live region wraps the list: role=log on the <ol> itself would take away its list.
    var log = el("div", {
      class: "chat-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "チャットのやりとり",
      "data-chat-log": "",
    });
    var turns = el("ol", { class: "chat-turns" });
    log.appendChild(turns);
    var quick = el("div", { class: "chat-quick", role: "group", "aria-label": "よくある続きの質問" });
    var handoff = el("div", { class: "chat-handoff" });
    handoff.hidden = true;
    var handoffLink = el("a", { class: "chat-handoff-link", href: "/contact" },
      "お問い合わせフォームへ進む（このやりとりを添付します）");
    handoff.appendChild(handoffLink);
    var form = el("form", { class: "chat-form", action: "/chat", method: "post", novalidate: "" });
    var label = el("label", { for: "chat-widget-input", class: "chat-label" }, "ご質問");
    var row = el("div", { class: "chat-row" });
    var input = el("input", {
      id: "chat-widget-input",
      name: "message",
      type: "text",
      class: "chat-input",
      "data-chat-input": "",
      maxlength: String(MAX_CHARS),
      autocomplete: "off",
      placeholder: "例: 補助金の申請はいつまで？",
      "aria-describedby": "chat-widget-status",
    });
    var send = el("button", { type: "submit", class: "chat-send" }, "送信");
    row.appendChild(input);
    row.appendChild(send);
    var status = el("p", { id: "chat-widget-status", class: "chat-status", "aria-live": "assertive" });
    form.appendChild(label);
    form.appendChild(row);
    form.appendChild(status);
    [header, note, log, quick, handoff, form].forEach(function (part) {
      panel.appendChild(part);
    });
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);
    return {
      root: root, launcher: launcher, panel: panel, close: close, restart: restart, log: log,
      turns: turns, quick: quick, handoff: handoff, handoffLink: handoffLink, form: form,
      input: input, send: send, status: status,
    };
  }

  // Telephone numbers in a reply become tel: links (web/chat/phone_links.py, same pattern);
  // the text around them stays text nodes.
  var PHONE_PATTERN = /0\d{1,4}-\d{1,4}-\d{3,4}/g;

  function textWithPhoneLinks(text) {
    var node = el("p", { class: "chat-text" });
    var position = 0;
    String(text || "").replace(PHONE_PATTERN, function (number, offset) {
      node.appendChild(document.createTextNode(text.slice(position, offset)));
      node.appendChild(el("a", { href: "tel:" + number }, number));
      position = offset + number.length;
      return number;
    });
    node.appendChild(document.createTextNode(String(text || "").slice(position)));
    return node;
  }

  function turnNode(turn) {
    var role = turn.role === "user" ? "user" : "bot";
    var item = el("li", { class: "chat-turn chat-turn--" + role, "data-role": role });
    item.appendChild(el("span", { class: "chat-speaker" }, turn.role === "user" ? "あなた" : "チャット"));
    item.appendChild(role === "bot" ? textWithPhoneLinks(turn.text) : el("p", { class: "chat-text" }, turn.text));
    var articles = (turn.articles || []).filter(function (article) {
      return typeof article.url === "string" && article.url.charAt(0) === "/";
    });
    if (articles.length) {
      var list = el("ul", { class: "chat-articles" });
      articles.forEach(function (article) {
        var entry = el("li");
        entry.appendChild(el("a", { href: article.url }, article.title));
        list.appendChild(entry);
      });
      item.appendChild(list);
    }
    return item;
  }

  // The /chat page, rendered by the server for use without JavaScript: its parts take the
  // widget's roles, and its own conversation (the cookie's) is adopted when the tab has none.
  function bindPage(section) {
    var status = section.querySelector("[data-chat-status]");
    return {
      log: section.querySelector("[data-chat-log]"),
      turns: section.querySelector(".chat-turns"),
      quick: section.querySelector("[data-chat-quick]"),
      handoff: section.querySelector("[data-chat-handoff]"),
      handoffLink: section.querySelector("[data-chat-handoff] a"),
      form: section.querySelector("[data-chat-form]"),
      input: section.querySelector("[data-chat-form] .chat-input"),
      send: section.querySelector("[data-chat-form] .chat-send"),
      status: status,
      resetForm: section.querySelector("[data-chat-reset]"),
    };
  }

  function stateFromPage(section) {
    var state = freshState();
    state.quick = [];  // the server's starters, or the buttons of its last reply
    section.querySelectorAll("[data-chat-quick] .chat-quick-reply").forEach(function (button) {
      state.quick.push(button.value || button.textContent);
    });
    state.session = section.getAttribute("data-chat-token") || null;
    if (!state.session) return state;
    section.querySelectorAll(".chat-turn").forEach(function (item) {
      var text = item.querySelector(".chat-text");
      var articles = [];
      item.querySelectorAll(".chat-articles a").forEach(function (link) {
        articles.push({ url: link.getAttribute("href"), title: link.textContent });
      });
      state.turns.push({
        role: item.getAttribute("data-role") === "user" ? "user" : "bot",
        text: text ? text.textContent : "",
        articles: articles,
      });
    });
    var link = section.querySelector("[data-chat-handoff] a");
    state.handoffUrl = link ? link.getAttribute("href") : null;
    return state;
  }

  // A conversation attached to a sent inquiry is over: the thanks page names it.
  function endedConversation() {
    var marker = document.querySelector("[data-chat-ended]");
    return marker ? marker.getAttribute("data-chat-ended") : null;
  }

  function start() {
    if (document.querySelector("[data-chat-widget]")) return;
    var section = document.querySelector("[data-chat-page]");
    var state = loadState();
    var ended = endedConversation();
    if (ended && state.session === ended) {
      state = freshState();
      saveState(state);
    }
    var ui;
    if (section) {
      ui = bindPage(section);
      if (!state.session && !state.turns.length) state = stateFromPage(section);
      state.open = false;
      saveState(state);
    } else {
      addStylesheet();
      ui = build();
      // chat.css keeps room for the button at the page's end and around focused elements
      document.documentElement.classList.add("has-chat-launcher");
    }
    var busy = false;
    // Raised by 「新しい会話」: a reply still on its way belongs to the conversation that asked.
    var epoch = 0;

    function renderQuick() {
      ui.quick.textContent = "";
      state.quick.forEach(function (text) {
        var button = el("button", { type: "button", class: "chat-quick-reply" }, text);
        button.addEventListener("click", function () {
          ask(text);
        });
        ui.quick.appendChild(button);
      });
      ui.quick.hidden = state.quick.length === 0;
    }

    function renderHandoff() {
      ui.handoff.hidden = !state.handoffUrl;
      if (state.handoffUrl) ui.handoffLink.setAttribute("href", state.handoffUrl);
    }

    function renderReset() {
      if (ui.resetForm) ui.resetForm.hidden = !state.turns.length;
    }

    function append(turn) {
      var node = turnNode(turn);
      ui.turns.appendChild(node);
      ui.log.scrollTop = ui.log.scrollHeight;
      return node;
    }

    function renderAll() {
      ui.turns.textContent = "";
      if (!state.turns.length) append({ role: "bot", text: WELCOME });
      state.turns.forEach(append);
      renderQuick();
      renderHandoff();
      renderReset();
    }

    function restart() {
      epoch += 1;
      if (busy) setBusy(false);
      var open = state.open;
      state = freshState();
      state.open = open;
      saveState(state);
      ui.status.textContent = "";
      ui.input.value = "";
      renderAll();
      ui.input.focus();
    }

    function setOpen(open, focus) {
      ui.panel.hidden = !open;
      ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
      ui.root.classList.toggle("is-open", open);
      state.open = open;
      saveState(state);
      if (open && focus) {
        ui.log.scrollTop = ui.log.scrollHeight;
        ui.input.focus();
      } else if (!open && focus) {
        ui.launcher.focus();
      }
    }

    function setBusy(value) {
      busy = value;
      ui.send.disabled = value;
      ui.log.setAttribute("aria-busy", value ? "true" : "false");
      ui.status.textContent = value ? "回答を準備しています…" : "";
    }

    function ask(text) {
      var message = text.trim();
      if (busy) return;
      if (!message) {
        ui.status.textContent = "ご質問を入力してください。";
        ui.input.focus();
        return;
      }
      if (message.length > MAX_CHARS) {
        ui.status.textContent = "ご質問は" + MAX_CHARS + "文字以内で入力してください。";
        ui.input.focus();
        return;
      }
      setBusy(true);
      var asked = epoch;
      var turn = { role: "user", text: message };
      append(turn);
      fetch(ENDPOINT, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ message: message, session: state.session }),
      })
        .then(function (response) {
          return response.json().then(
            function (body) { return { ok: response.ok, body: body }; },
            function () { return { ok: false, body: null }; }
          );
        })
        .then(function (result) {
          if (asked !== epoch) return; // the person started a new conversation meanwhile
          setBusy(false);
          if (!result.ok || !result.body || typeof result.body.text !== "string") {
            var problem = result.body && result.body.error && result.body.error.message;
            renderAll();
            ui.status.textContent = problem || "送信できませんでした。もう一度お試しください。";
            ui.input.value = message; // what the person typed is never lost
            ui.input.focus();
            return;
          }
          var reply = result.body;
          state.session = reply.session || state.session;
          state.turns.push(turn);
          var botTurn = { role: "bot", text: reply.text, articles: reply.articles || [] };
          state.turns.push(botTurn);
          state.quick = Array.isArray(reply.quick_replies) ? reply.quick_replies : [];
          if (reply.handoff && reply.handoff_url) state.handoffUrl = reply.handoff_url;
          state.turns = state.turns.slice(-60);
          saveState(state);
          var node = append(botTurn);
          renderQuick();
          renderHandoff();
          renderReset();
          // Show the reply from its first line: answers are often longer than the log.
          if (section) node.scrollIntoView({ block: "start" });
          else ui.log.scrollTop = Math.max(0, node.offsetTop - 8);
          ui.input.value = "";
          ui.input.focus();
        })
        .catch(function () {
          if (asked !== epoch) return;
          setBusy(false);
          renderAll();
          ui.status.textContent = "通信できませんでした。接続を確認して、もう一度お試しください。";
          ui.input.value = message;
          ui.input.focus();
        });
    }

    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      ask(ui.input.value);
    });
    // The form the link leads to is where the person goes on: the panel stays shut there
    // instead of reopening over the fields (the conversation is attached to the form).
    ui.handoffLink.addEventListener("click", function () {
      state.open = false;
      saveState(state);
    });

    if (section) {
      // The page's own button also ends the cookie's conversation on the server.
      if (ui.resetForm) {
        ui.resetForm.addEventListener("submit", function () {
          state = freshState();
          saveState(state);
        });
      }
      renderAll();
      return;
    }

    // An article linked in an answer is what the person goes to read: the panel stays shut
    // there instead of covering it (on a phone it fills the screen).
    ui.turns.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='/']") : null;
      if (!link) return;
      state.open = false;
      saveState(state);
    });
    ui.launcher.addEventListener("click", function () {
      setOpen(ui.panel.hidden, true);
    });
    ui.close.addEventListener("click", function () {
      setOpen(false, true);
    });
    ui.restart.addEventListener("click", restart);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        setOpen(false, true);
      }
    });

    renderAll();
    if (state.open) setOpen(true, false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
