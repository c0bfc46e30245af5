// Dashboards: drag a widget onto another to put it there; the new order is
// posted at once (the move buttons do the same without JavaScript).
// The builder: choosing another kind of record reloads the form with its
// fields (without JavaScript, "Show result" does). A schedule's weekday
// shows for weekly schedules, its day of the month for monthly ones.

let csrf;

function status(message) {
  const region = document.querySelector("[data-dash-status]");
  if (region) region.textContent = message;
}

async function save(grid) {
  const order = [...grid.querySelectorAll("[data-report]")].map((item) => item.dataset.report);
  const body = new URLSearchParams({ _csrf: csrf, order: order.join(",") });
  const response = await fetch(grid.dataset.arrange, { method: "POST", body, credentials: "same-origin" });
  status(response.ok ? grid.dataset.savedText : grid.dataset.failedText);
  if (!response.ok) window.location.reload();
}

export function start(token) {
  csrf = token;
  const builder = document.querySelector("[data-report-form]");
  const kind = builder && builder.querySelector("[name=kind]");
  if (kind) {
    kind.addEventListener("change", () => {
      for (const field of builder.querySelectorAll("select:not([name=kind]):not([name=chart]):not([name=op])")) field.value = "";
      builder.requestSubmit();
    });
  }
  for (const field of document.querySelectorAll("[data-shown-for]")) {
    const [id, value] = field.dataset.shownFor.split(":");
    const select = document.getElementById(id);
    const show = () => (field.hidden = select.value !== value);
    select?.addEventListener("change", show);
    if (select) show();
  }
  const grid = document.querySelector("[data-arrange]");
  if (!grid) return;
  let dragged = null;
  for (const item of grid.querySelectorAll("[data-report]")) {
    item.draggable = true;
    item.addEventListener("dragstart", (event) => {
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.report);
    });
    item.addEventListener("dragend", () => {
      item.classList.remove("dragging");
      dragged = null;
    });
    item.addEventListener("dragover", (event) => {
      if (dragged && dragged !== item) event.preventDefault();
    });
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!dragged || dragged === item) return;
      const items = [...grid.querySelectorAll("[data-report]")];
      const after = items.indexOf(dragged) < items.indexOf(item);
      item.parentNode.insertBefore(dragged, after ? item.nextSibling : item);
      save(grid);
    });
  }
}
