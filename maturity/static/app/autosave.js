// Autosave for survey pages: saves the page's answers a moment after each change.
// The page works the same without it; this only saves sooner.
const form = document.querySelector("form[data-autosave]");
const status = document.getElementById("autosave-status");
const DELAY_MS = 1500;
let timer = null;
let inFlight = false;

function show(text) {
  if (status) status.textContent = text;
}

async function save() {
  if (inFlight) {
    schedule();
    return;
  }
  inFlight = true;
  try {
    const body = new FormData(form);
    body.set("action", "autosave");
    // form.action would be the buttons named "action", not the attribute.
    const response = await fetch(form.getAttribute("action"), {
      method: "POST",
      body,
      headers: { "X-Autosave": "1", Accept: "application/json" },
      credentials: "same-origin",
    });
    const result = await response.json();
    if (result.saved) {
      const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      show(`Saved at ${time}`);
    } else if (result.stale) {
      show("Could not save automatically: select Save and continue to save your answers.");
    } else {
      show("Could not save automatically: check your answers, then select Save and continue.");
    }
  } catch {
    show("Could not save automatically. Your answers are still on this page.");
  } finally {
    inFlight = false;
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(save, DELAY_MS);
}

if (form) {
  form.addEventListener("change", schedule);
  form.addEventListener("input", (event) => {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") schedule();
  });
}
