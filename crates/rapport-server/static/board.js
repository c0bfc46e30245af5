// The deal board: drag a card to another stage (or focus it and press the
// left and right arrows); a lost stage asks why first. Every move goes
// through the deal service with the card's version: a conflict is shown and
// the board refreshed, never overwritten.

let csrf;

function status(message) {
  const region = document.querySelector("[data-board-status]");
  if (region) region.textContent = message;
}

/** Column heads (counts and totals) as the server computes them. */
async function refreshHeads() {
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const column of document.querySelectorAll("[data-column]")) {
    const fresh = doc.querySelector(`[data-column="${column.dataset.column}"] header`);
    if (fresh) column.querySelector("header").replaceWith(fresh);
  }
}

async function reload() {
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.querySelector("[data-board]");
  if (fresh) document.querySelector("[data-board]").replaceWith(fresh);
  wire();
}

function askLostReason() {
  const dialog = document.querySelector("[data-lost-dialog]");
  const textarea = dialog.querySelector("textarea");
  textarea.value = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "ok" && textarea.value.trim() ? textarea.value.trim() : null),
      { once: true },
    );
  });
}

async function move(card, column) {
  if (card.closest("[data-column]") === column) return;
  let reason = null;
  if (column.dataset.lost === "true") {
    reason = await askLostReason();
    if (!reason) return;
  }
  const body = new URLSearchParams({
    _csrf: csrf(),
    _script: "1",
    _version: card.dataset.version,
    stage_id: column.dataset.column,
  });
  if (reason) body.set("lost_reason", reason);
  const from = card.parentElement;
  column.querySelector("[data-cards]").prepend(card);
  const response = await fetch(`/deals/${card.dataset.card}/stage`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrf() },
    body,
  });
  const answer = await response.json().catch(() => ({}));
  if (response.ok) {
    card.dataset.version = String(answer.version);
    status("");
    card.focus();
    await refreshHeads();
  } else {
    from.prepend(card);
    status(answer.message ?? `${response.status}`);
    if (response.status === 409) await reload();
  }
}

function wire() {
  const board = document.querySelector("[data-board]");
  let dragged = null;
  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-card]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.card);
  });
  board.addEventListener("dragend", () => {
    dragged?.classList.remove("dragging");
    for (const c of board.querySelectorAll(".drop-target")) c.classList.remove("drop-target");
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest("[data-column]");
    if (!column || !dragged) return;
    event.preventDefault();
    for (const c of board.querySelectorAll(".drop-target")) if (c !== column) c.classList.remove("drop-target");
    column.classList.add("drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest("[data-column]");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    move(dragged, column);
  });
  board.addEventListener("keydown", (event) => {
    const card = event.target.closest("[data-card]");
    if (!card || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    event.preventDefault();
    const columns = [...board.querySelectorAll("[data-column]")];
    const at = columns.indexOf(card.closest("[data-column]"));
    const target = columns[at + (event.key === "ArrowRight" ? 1 : -1)];
    if (target) move(card, target);
  });
}

export function start(token) {
  csrf = token;
  wire();
}
