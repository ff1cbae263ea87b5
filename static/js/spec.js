// Spec editor: add and remove settings, actions, fields and presets in place, keeping what was
// typed. Without JavaScript the same buttons post the form and the server adds or removes the
// row, so this file only makes it quicker.
(function () {
  "use strict";

  const PLACEHOLDERS = { settings: "__S__", actions: "__A__", presets: "__P__", fields: "__F__" };

  function nextIndex(container) {
    let max = -1;
    container.querySelectorAll(":scope > [data-row]").forEach((row) => {
      const n = parseInt(row.dataset.index, 10);
      if (!Number.isNaN(n) && n > max) max = n;
    });
    return max + 1;
  }

  function fromTemplate(editor, kind, replacements) {
    const template = editor.querySelector(`template[data-template="${kind}"]`);
    if (!template) return null;
    let html = template.innerHTML;
    Object.entries(replacements).forEach(([token, value]) => {
      html = html.split(token).join(String(value));
    });
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function add(editor, button) {
    const kind = button.dataset.add;
    let container;
    const replacements = {};
    if (kind === "fields") {
      const action = button.closest("[data-row]");
      container = action.querySelector('[data-rows="fields"]');
      replacements.__A__ = action.dataset.index;
      replacements.__F__ = nextIndex(container);
    } else {
      container = editor.querySelector(`[data-rows="${kind}"]`);
      replacements[PLACEHOLDERS[kind]] = nextIndex(container);
    }
    const row = fromTemplate(editor, kind, replacements);
    if (!row || !container) return;
    const empty = container.querySelector(":scope > .spec-empty");
    if (empty) empty.remove();
    container.appendChild(row);
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function remove(button) {
    const row = button.closest("[data-row]");
    if (!row) return;
    const container = row.parentElement;
    const section = row.closest("fieldset, .spec-fields");
    row.remove();
    const addButton = section && section.querySelector(":scope > [data-add]");
    if (addButton) addButton.focus();
    if (container && !container.querySelector(":scope > [data-row]")) {
      const note = document.createElement("p");
      note.className = "muted spec-empty";
      note.textContent = "None.";
      container.appendChild(note);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-spec-editor]").forEach((editor) => {
      editor.addEventListener("click", (event) => {
        const addButton = event.target.closest("[data-add]");
        if (addButton && editor.contains(addButton)) {
          event.preventDefault();
          add(editor, addButton);
          return;
        }
        const removeButton = event.target.closest("[data-remove]");
        if (removeButton && editor.contains(removeButton)) {
          event.preventDefault();
          remove(removeButton);
        }
      });
    });
  });
})();
