// Light progressive enhancement only: every page works without it.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.hasAttribute("data-print")) {
    window.print();
  }
});

// Stap 4: a link from the overview to an instrument unfolds that instrument's details (without
// JavaScript the link still scrolls to it, and its summary opens it).
function openInstrument(hash) {
  if (!hash || !hash.startsWith("#ins-")) return;
  const item = document.getElementById(decodeURIComponent(hash.slice(1)));
  const details = item && item.querySelector("details.instrument-details");
  if (details) details.open = true;
}
window.addEventListener("hashchange", () => openInstrument(window.location.hash));
document.addEventListener("DOMContentLoaded", () => openInstrument(window.location.hash));

// Stap 1: an effect's "voor wie" lists the persons entered; keep it current while ids, roles
// and ages are typed (the server renders the same list, forms.person_choices, on every submit).
function personOptions() {
  const people = [...document.querySelectorAll("div.persoon")].map((block) => {
    const value = (name) => {
      const input = block.querySelector(`[name$=".${name}"]`);
      return input ? input.value.trim() : "";
    };
    return { id: value("id"), rol: value("rol"), leeftijd: value("leeftijd") };
  }).filter((p) => p.id);
  for (const select of document.querySelectorAll("select[data-personen]")) {
    const chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const p of people) {
      const label = [p.id, p.rol ? p.rol.replace(/_/g, " ") : "rol onbekend"];
      if (p.leeftijd) label.push(`${p.leeftijd} jaar`);
      select.add(new Option(label.join(" · "), p.id, false, p.id === chosen));
    }
    if (chosen && !people.some((p) => p.id === chosen)) {
      select.add(new Option(`${chosen} · niet (meer) bij de personen`, chosen, false, true));
    }
  }
}
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("div.persoon")) personOptions();
});
