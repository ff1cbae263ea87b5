// Catalog images that fail to load (an imported entry's logo on a CDN that doesn't answer) give
// way to what is drawn beneath them in the same box: the initials for a mark, the name for a
// logo. Loaded synchronously before the images, so no failure happens before it listens.
(function () {
  "use strict";
  if (window.catalogImageFallback) return; // included by several parts of one page
  window.catalogImageFallback = true;
  document.addEventListener(
    "error",
    function (event) {
      const img = event.target;
      if (!(img instanceof HTMLImageElement)) return;
      const box = img.closest("[data-img-fallback]");
      if (box) box.classList.add("img-failed");
    },
    true, // error events don't bubble: listen on the way down
  );
})();
