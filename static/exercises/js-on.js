/* Marks that scripts run (no inline scripts under our CSP), so the page can wait for the
   drawn graph instead of flashing the table first. */
document.documentElement.classList.add("js");
