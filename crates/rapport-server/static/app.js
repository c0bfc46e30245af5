// Rapport's enhancements over pages that work without JavaScript: partial
// "load more", type-ahead search, reference pickers, the command palette,
// keyboard shortcuts. No inline scripts: the CSP forbids them.

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

/** Fetches a page fragment as a document. */
async function fragment(url) {
  const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status}`);
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

/** "Load more" links: append the next rows, entries or cards in place. */
function enhanceLoadMore(root = document) {
  root.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-load-more]");
    if (!link) return;
    event.preventDefault();
    const what = link.dataset.loadMore;
    const slot = link.closest("[data-more]");
    const url = new URL(link.href);
    if (!what) url.searchParams.set("fragment", "1");
    link.setAttribute("aria-busy", "true");
    try {
      const doc = await fragment(url);
      let target;
      let items;
      if (what === "entries") {
        target = document.querySelector("[data-entries]");
        items = doc.querySelectorAll("ol > li");
      } else if (what === "cards") {
        target = slot.closest("[data-column]").querySelector("[data-cards]");
        items = doc.querySelectorAll("ol > li");
      } else {
        target = document.querySelector("[data-rows]");
        items = doc.querySelectorAll("tbody > tr");
      }
      target.append(...items);
      const next = doc.querySelector("[data-more]");
      slot.replaceWith(next ?? document.createElement("div"));
    } catch {
      window.location.href = link.href;
    }
  });
}

/** Results of the search, grouped by kind. */
async function searchGroups(query, kind) {
  const url = new URL("/search", window.location.origin);
  url.searchParams.set("q", query);
  url.searchParams.set("format", "json");
  if (kind) url.searchParams.set("kind", kind);
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    return response.ok ? await response.json() : [];
  } catch {
    return [];
  }
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A suggestion list under an input, moved through with the arrow keys. */
function suggest(input, box, load, choose) {
  let links = [];
  let selected = -1;
  const mark = () => links.forEach((a, i) => a.setAttribute("aria-selected", String(i === selected)));
  const render = (groups) => {
    box.replaceChildren();
    links = [];
    selected = -1;
    for (const group of groups) {
      if (!group.hits.length) continue;
      const title = document.createElement("h3");
      title.textContent = group.title;
      box.append(title);
      for (const hit of group.hits) {
        const a = document.createElement("a");
        a.href = hit.href;
        a.setAttribute("role", "option");
        const label = document.createElement("span");
        label.textContent = hit.label;
        const second = document.createElement("span");
        second.className = "second";
        second.textContent = hit.second ? ` · ${hit.second}` : "";
        a.append(label, second);
        a.addEventListener("click", (event) => {
          if (choose) {
            event.preventDefault();
            choose(hit);
            box.hidden = true;
          }
        });
        box.append(a);
        links.push(a);
      }
    }
    box.hidden = links.length === 0;
  };
  input.setAttribute("aria-autocomplete", "list");
  input.addEventListener(
    "input",
    debounce(async () => {
      const query = input.value.trim();
      if (query.length < 2) {
        box.hidden = true;
        return;
      }
      render(await load(query));
    }, 150),
  );
  input.addEventListener("keydown", (event) => {
    if (box.hidden || !links.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      selected = (selected + (event.key === "ArrowDown" ? 1 : -1) + links.length) % links.length;
      mark();
    } else if (event.key === "Enter" && selected >= 0) {
      event.preventDefault();
      links[selected].click();
    } else if (event.key === "Escape") {
      box.hidden = true;
    }
  });
  input.addEventListener("blur", () => setTimeout(() => (box.hidden = true), 200));
}

function enhanceSearch() {
  const input = document.querySelector("input[data-search]");
  if (!input) return;
  const box = input.parentElement.querySelector("[data-suggestions]");
  suggest(input, box, (query) => searchGroups(query), null);
}

/** Reference inputs: type a name, pick the record; the hidden input keeps its id. */
function enhanceReferences() {
  for (const input of document.querySelectorAll("input[data-ref]")) {
    const field = input.closest(".field");
    const hidden = field.querySelector("input[data-ref-id]");
    const box = field.querySelector("[data-suggestions]");
    suggest(input, box, (query) => searchGroups(query, input.dataset.ref), (hit) => {
      input.value = hit.label;
      hidden.value = hit.href.split("/").pop();
    });
    input.addEventListener("change", () => {
      if (!input.value.trim()) hidden.value = "";
    });
  }
}

/** Small things: auto-submitting menus, confirmations, the current path. */
function enhanceForms() {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  for (const button of document.querySelectorAll("[data-no-js]")) button.hidden = true;
  for (const input of document.querySelectorAll("input[data-current-path]")) {
    input.value = window.location.pathname + window.location.search;
  }
  document.addEventListener("submit", (event) => {
    const message = event.target.dataset?.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
}

/** The command palette (Ctrl/Cmd+K): jump to a record, a list, or "new …". */
function palette() {
  let dialog = document.querySelector("dialog.palette");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.className = "palette";
    const source = document.querySelector("[data-commands]");
    dialog.setAttribute("aria-label", source?.dataset.title ?? "");
    const input = document.createElement("input");
    input.type = "search";
    input.setAttribute("aria-label", document.querySelector("#top-q")?.placeholder ?? "Search");
    input.placeholder = input.getAttribute("aria-label");
    const list = document.createElement("ul");
    dialog.append(input, list);
    document.body.append(dialog);
    // The commands come translated from the page (base.html).
    const group = source?.dataset.group ?? "";
    const commands = [...document.querySelectorAll("[data-commands] a")].map((a) => ({
      label: a.textContent.trim(),
      href: a.href,
    }));
    let links = [];
    let selected = 0;
    const show = (groups) => {
      list.replaceChildren();
      links = [];
      for (const group of groups) {
        if (!group.hits.length) continue;
        const head = document.createElement("li");
        head.className = "group";
        head.textContent = group.title;
        list.append(head);
        for (const hit of group.hits) {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = hit.href;
          a.textContent = hit.second ? `${hit.label} · ${hit.second}` : hit.label;
          li.append(a);
          list.append(li);
          links.push(a);
        }
      }
      selected = 0;
      links.forEach((a, i) => a.setAttribute("aria-selected", String(i === selected)));
    };
    const filterCommands = (query) => {
      const q = query.toLowerCase();
      return { title: group, hits: commands.filter((c) => c.label.toLowerCase().includes(q)).slice(0, 8) };
    };
    show([filterCommands("")]);
    input.addEventListener("input", async () => {
      const query = input.value.trim();
      show([filterCommands(query)]);
      if (query.length < 2) return;
      const groups = await searchGroups(query);
      // Only the answer to what is typed now.
      if (input.value.trim() === query) show([filterCommands(query), ...groups]);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!links.length) return;
        selected = (selected + (event.key === "ArrowDown" ? 1 : -1) + links.length) % links.length;
        links.forEach((a, i) => a.setAttribute("aria-selected", String(i === selected)));
      } else if (event.key === "Enter" && links[selected]) {
        event.preventDefault();
        window.location.href = links[selected].href;
      }
    });
  }
  dialog.showModal();
  const input = dialog.querySelector("input");
  input.value = "";
  input.focus();
}

function showShortcuts() {
  let dialog = document.querySelector("dialog.shortcuts");
  if (!dialog) {
    // The list comes translated from the page (base.html).
    const list = document.querySelector("[data-shortcuts]")?.cloneNode(true);
    if (!list) return;
    list.hidden = false;
    dialog = document.createElement("dialog");
    dialog.className = "shortcuts";
    const form = document.createElement("form");
    form.method = "dialog";
    const close = document.createElement("button");
    close.className = "secondary";
    close.textContent = list.dataset.close ?? "OK";
    form.append(list, close);
    dialog.append(form);
    document.body.append(dialog);
  }
  dialog.showModal();
}

/** Keyboard: / search, Ctrl/Cmd+K palette, c create, e edit, j/k rows, ? help. */
function enhanceKeys() {
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      palette();
      return;
    }
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/") {
      event.preventDefault();
      document.querySelector("input[data-search]")?.focus();
    } else if (event.key === "?") {
      showShortcuts();
    } else if (event.key === "c" || event.key === "e") {
      const target = document.querySelector(`[data-shortcut="${event.key}"]`);
      if (target) target.click();
    } else if (event.key === "j" || event.key === "k") {
      const rows = [...document.querySelectorAll("[data-rows] tr")];
      if (!rows.length) return;
      const current = rows.findIndex((r) => r.classList.contains("selected"));
      const next = Math.max(0, Math.min(rows.length - 1, current + (event.key === "j" ? 1 : -1)));
      rows.forEach((r, i) => r.classList.toggle("selected", i === next));
      rows[next].querySelector("a")?.focus();
    }
  });
}

/** Live notifications: one stream per tab; a toast and the bell's count. */
/** The bulk actions show once a row is ticked (without JavaScript, always). */
function enhanceBulk() {
  const bulk = document.querySelector("form#bulk");
  if (!bulk) return;
  const update = () => {
    bulk.hidden = !document.querySelector("input[name=ids][form=bulk]:checked");
  };
  update();
  document.addEventListener("change", (event) => {
    if (event.target.matches("input[name=ids][form=bulk]")) update();
  });
}

function listenForNotifications() {
  const badge = document.querySelector("[data-unread]");
  const toasts = document.querySelector("[data-toasts]");
  if (!badge || !window.EventSource) return;
  let unread = 0;
  const show = () => {
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  };
  const events = new EventSource("/events");
  events.addEventListener("count", (event) => {
    unread = JSON.parse(event.data).unread;
    show();
  });
  events.addEventListener("notification", (event) => {
    const { title, href } = JSON.parse(event.data);
    unread += 1;
    show();
    const toast = document.createElement(href ? "a" : "div");
    toast.className = "toast";
    if (href) toast.href = href;
    toast.textContent = title;
    toasts.append(toast);
    setTimeout(() => toast.remove(), 8000);
  });
}

/** An import's page follows its progress without reloading, and reloads once it ends. */
function followImport() {
  const panel = document.querySelector("[data-import]");
  if (!panel || !["queued", "running"].includes(panel.dataset.importStatus)) return;
  const bar = panel.querySelector("[data-import-percent]");
  const counts = panel.querySelectorAll("[data-import-count]");
  const poll = async () => {
    try {
      const response = await fetch(`/api/v1/imports/${panel.dataset.import}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      bar.value = data.percent_done;
      bar.textContent = `${data.percent_done}%`;
      counts.forEach((dd) => {
        const value = data.counts[dd.dataset.importCount];
        if (typeof value === "number") dd.textContent = value.toLocaleString(document.documentElement.lang);
      });
      if (!["queued", "running"].includes(data.status)) {
        window.location.reload();
        return;
      }
    } catch {
      // A missed poll is retried on the next tick.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}

/** Reloads an export's page until its file is ready (or it failed). */
function followExport() {
  const panel = document.querySelector("[data-export-status]");
  if (panel && ["queued", "running"].includes(panel.dataset.exportStatus)) {
    setTimeout(() => window.location.reload(), 1500);
  }
}

enhanceLoadMore();
followImport();
followExport();
listenForNotifications();
enhanceSearch();
enhanceReferences();
enhanceForms();
enhanceKeys();
enhanceBulk();
if (document.querySelector("[data-board]")) {
  import("/assets/board.js").then((board) => board.start(csrf));
}
if (document.querySelector("[data-arrange], [data-report-form]")) {
  import("/assets/reports.js").then((reports) => reports.start(csrf));
}
