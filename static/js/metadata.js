// Live count of the description's visible characters (what readers see, not the markdown).
// The server counts the rendered text exactly when the form is saved; this mirrors it closely.
(function () {
  "use strict";

  function visibleText(source) {
    return source
      .replace(/\r\n?/g, "\n")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // [text](url) shows only the text
      .replace(/^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+/gm, "") // list markers
      .replace(/\*\*|__/g, "") // bold markers
      .replace(/(^|[^\w*])[*_](?=\S)|(\S)[*_](?=$|[^\w*])/gm, "$1$2") // italic markers
      .replace(/\\([!-\/:-@[-`{-~])/g, "$1") // backslash escapes
      .replace(/\s+/g, " ")
      .trim();
  }

  function setUp(textarea) {
    const max = parseInt(textarea.dataset.visibleMax, 10);
    const output = document.querySelector('[data-count-for="' + textarea.id + '"]');
    if (!output || !max) return;
    const update = function () {
      const count = Array.from(visibleText(textarea.value)).length;
      output.textContent = count + " of " + max + " visible characters" + (count > max ? " (" + (count - max) + " too many)" : "");
      output.classList.toggle("over", count > max);
    };
    textarea.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-visible-max]").forEach(setUp);
  });
})();
