// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons: <button data-copy-target="#id">Copy</button>
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const target = document.querySelector(button.dataset.copyTarget);
      if (!target) return;
      const text = target.value !== undefined ? target.value : target.textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch (err) {
        if (target.select) target.select();
        button.textContent = "Press Ctrl+C to copy";
      }
    });
  });
  // After a refused submit, put the keyboard on the first field to fix (its error is next to it).
  const invalid = document.querySelector(
    "main .field-invalid input:not([type=hidden]), main .field-invalid select, main .field-invalid textarea",
  );
  if (invalid && !document.activeElement.matches("input, select, textarea")) {
    // In a radio group the keyboard lands on the chosen option, as Tab would.
    const chosen = invalid.type === "radio" && invalid.form
      ? [...invalid.form.elements].find((el) => el.name === invalid.name && el.checked)
      : null;
    const target = chosen || invalid;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  }
  // Confirm destructive actions: <form data-confirm="Are you sure?">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
