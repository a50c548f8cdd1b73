// The little the pages need beyond HTML and htmx: choosing a range in a machine's week (a
// start, then a length or a second tap) and moving through the week with the keyboard. Without it every free cell still opens the
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

const slotMinutes = (cell) => (new Date(cell.dataset.end) - new Date(cell.dataset.start)) / 60000;

// The chosen start cell, and the cell a second tap may extend the range from.
let startCell = null;
let anchor = null;

function lengthOf(form) {
  const field = form.querySelector("[name=length]");
  return field ? Number(field.value || 0) : 0;
}

// The local clock time `minutes` after a "YYYY-MM-DDTHH:MM" value.
function clockAfter(local, minutes) {
  const moment = new Date(`${local}:00Z`);
  return new Date(moment.getTime() + minutes * 60000).toISOString().slice(11, 16);
}

// Marks the cells the chosen start and length cover, says the range, and its price.
function refresh(form) {
  const start = form.querySelector("[name=start]").value;
  const minutes = lengthOf(form);
  const grid = document.querySelector("[data-grid]");
  if (grid && startCell && startCell.isConnected && localValue(startCell.dataset.start) === start) {
    const day = cellsOfDay(grid, startCell.dataset.day);
    const run = [];
    for (let index = day.indexOf(startCell); index < day.length; index += 1) {
      const cell = day[index];
      if (!cell.matches("button[data-start]") || run.length * slotMinutes(cell) >= minutes) break;
      run.push(cell);
    }
    mark(grid, run.length ? run : [startCell]);
  } else if (grid) {
    mark(grid, []);
  }
  const said = start && minutes ? `${start.slice(11)} – ${clockAfter(start, minutes)}` : "";
  document.querySelectorAll("[data-selection]").forEach((out) => { out.textContent = said; });
  // The price comes from the server, as the booking will be priced (htmx, on "chosen").
  form.dispatchEvent(new Event("chosen"));
}

function choose(grid, cell, form) {
  const field = form.querySelector("[name=length]");
  let run = null;
  if (anchor && anchor.isConnected && anchor.dataset.day === cell.dataset.day
      && Number(cell.dataset.row) > Number(anchor.dataset.row)) {
    run = freeRun(grid, anchor, cell);
  }
  if (run && field) {
    // A second tap: the range from the first, as long as the machine allows.
    const minutes = run.length * slotMinutes(cell);
    const offered = [...field.options].map((o) => Number(o.value)).filter((v) => v > 0);
    const fits = offered.filter((v) => v <= minutes);
    field.value = String(fits.length ? Math.max(...fits) : offered[0]);
    anchor = null;
  } else {
    startCell = cell;
    anchor = cell;
    form.querySelector("[name=start]").value = localValue(cell.dataset.start);
  }
  const panel = form.closest(".booking-panel");
  if (panel) panel.dataset.empty = "false";
  refresh(form);
  // On a phone the form is below the whole week: a bar at the bottom of the screen leads to
  // it, so the grid stays where it is for a second tap.
  const bar = document.getElementById("selection-bar");
  if (bar && window.matchMedia("(max-width: 60rem)").matches) bar.hidden = false;
}

document.addEventListener("input", (event) => {
  const form = event.target.closest("form[data-range-form]");
  if (form && event.target.matches("[name=start], [name=end], [name=length]")) refresh(form);
});

document.addEventListener("click", (event) => {
  const cell = event.target.closest("[data-grid] button[data-start]");
  if (!cell) return;
  const form = document.querySelector("form[data-range-form]");
  if (!form) return; // no form on the page: go to the booking page
  event.preventDefault();
  choose(cell.closest("[data-grid]"), cell, form);
});

// A range-form on the page opens with its pre-filled range marked (a search's slot, the
// booking being moved).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-range-form]");
  const start = form && form.querySelector("[name=start]").value;
  if (!start) return;
  startCell = document.querySelector(`[data-grid] button[data-start^="${start}"]`);
  refresh(form);
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

// Once booked, the bar has nothing left to lead to.
document.addEventListener("booked", () => {
  const bar = document.getElementById("selection-bar");
  if (bar) bar.hidden = true;
});

// The machine's QR sheet: a button that prints the page (no inline script under the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
