// The little the pages need beyond HTML and htmx: choosing a range in a machine's week and
// moving through the week with the keyboard. Without it every free cell still opens the
// booking form (it is a submit button of a GET form).

const localValue = (iso) => iso.slice(0, 16); // "2027-01-05T10:00+01:00" -> datetime-local

function cellsOfDay(grid, day) {
  return [...grid.querySelectorAll(`[data-day="${day}"][data-row]`)].sort(
    (a, b) => Number(a.dataset.row) - Number(b.dataset.row),
  );
}

function freeRun(grid, first, last) {
  // The free buttons from first to last of one day, or null if anything between is not free.
  const day = cellsOfDay(grid, first.dataset.day);
  const from = Number(first.dataset.row);
  const to = Number(last.dataset.row);
  const run = [];
  for (let row = from; row <= to; row += 1) {
    const cell = day.find((c) => Number(c.dataset.row) === row);
    if (!cell || !cell.matches("button[data-start]")) return null;
    run.push(cell);
  }
  return run;
}

function mark(grid, run) {
  grid.querySelectorAll(".is-selected, .is-in-range").forEach((cell) => {
    cell.classList.remove("is-selected", "is-in-range");
    cell.removeAttribute("aria-pressed");
  });
  run.forEach((cell, index) => {
    cell.classList.add(index === 0 || index === run.length - 1 ? "is-selected" : "is-in-range");
    cell.setAttribute("aria-pressed", "true");
  });
}

let anchor = null;

function choose(grid, cell, form) {
  const minutes = Number(grid.dataset.minMinutes || 0);
  let run = null;
  if (anchor && anchor.isConnected && anchor.dataset.day === cell.dataset.day
      && Number(cell.dataset.row) > Number(anchor.dataset.row)) {
    run = freeRun(grid, anchor, cell);
  }
  if (run) {
    anchor = null;
  } else {
    // A first cell: reach the machine's minimum length if the next cells are free.
    anchor = cell;
    run = [cell];
    const day = cellsOfDay(grid, cell.dataset.day);
    let index = day.indexOf(cell);
    const slot = (new Date(cell.dataset.end) - new Date(cell.dataset.start)) / 60000;
    while (run.length * slot < minutes) {
      index += 1;
      const next = day[index];
      if (!next || !next.matches("button[data-start]")) break;
      run.push(next);
    }
  }
  mark(grid, run);
  form.querySelector("[name=start]").value = localValue(run[0].dataset.start);
  form.querySelector("[name=end]").value = localValue(run[run.length - 1].dataset.end);
  const panel = form.closest(".booking-panel");
  if (panel) panel.dataset.empty = "false";
  const status = document.getElementById("selection-status");
  if (status) {
    status.textContent = `${run[0].querySelector(".slot__time").textContent} – ${
      localValue(run[run.length - 1].dataset.end).slice(11)}`;
  }
  showPrice(form);
  if (window.matchMedia("(max-width: 60rem)").matches) {
    form.scrollIntoView({ behavior: "smooth", block: "start" });
  }
}

// The price of the range in the booking form, as the server computes it: rate × hours, VAT
// excluded (the sentence comes translated in data-text).
function showPrice(form) {
  const out = form.querySelector("#booking-price");
  if (!out) return;
  const start = new Date(form.querySelector("[name=start]").value);
  const end = new Date(form.querySelector("[name=end]").value);
  const hours = (end - start) / 3600000;
  if (!(hours > 0)) {
    out.textContent = "";
    return;
  }
  const lang = document.documentElement.lang || "fr";
  const price = Math.round(Number(out.dataset.rate) * hours * 100) / 100;
  const money = new Intl.NumberFormat(lang, {
    minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false,
  });
  const number = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  out.textContent = out.dataset.text
    .replace("{price}", `${money.format(price)} €`)
    .replace("{hours}", number.format(hours));
}

document.addEventListener("input", (event) => {
  const form = event.target.closest("#booking-form");
  if (form && event.target.matches("[name=start], [name=end]")) showPrice(form);
});

document.addEventListener("click", (event) => {
  const cell = event.target.closest("[data-grid] button[data-start]");
  if (!cell) return;
  const form = document.getElementById("booking-form");
  if (!form || form.tagName !== "FORM") return; // no form on the page: go to the booking page
  event.preventDefault();
  choose(cell.closest("[data-grid]"), cell, form);
});

const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

document.addEventListener("keydown", (event) => {
  const step = moves[event.key];
  const here = event.target.closest && event.target.closest("[data-grid] [data-row]");
  if (!step || !here) return;
  const grid = here.closest("[data-grid]");
  let day = Number(here.dataset.day);
  let row = Number(here.dataset.row);
  // Walk in the direction until a cell that can take the focus (free, or one's own booking).
  for (let tries = 0; tries < 200; tries += 1) {
    day += step[0];
    row += step[1];
    if (day < 0 || day > 6 || row < 0) return;
    const target = grid.querySelector(`[data-day="${day}"][data-row="${row}"]`);
    if (target) {
      event.preventDefault();
      target.focus();
      return;
    }
    if (step[1] !== 0 && !grid.querySelector(`[data-day="${day}"]`)) return;
  }
});
