// Catalog marks and logos sit in fixed boxes over a fallback: the initials for a mark, the name
// for a logo. The fallback shows until the image has loaded, and stays if it fails (an imported
// entry's logo on a CDN that doesn't answer): same size, no jump. Loaded synchronously before
// the images, so no load or failure happens before it listens. Without it, images show as usual.
(function () {
  "use strict";
  if (window.catalogImageFallback) return; // included by several parts of one page
  window.catalogImageFallback = true;
  document.documentElement.classList.add("js-img-fallback");

  function boxOf(event) {
    const img = event.target;
    return img instanceof HTMLImageElement ? img.closest("[data-img-fallback]") : null;
  }
  // load and error don't bubble: listen on the way down.
  document.addEventListener(
    "load",
    function (event) {
      const box = boxOf(event);
      if (box) box.classList.add("img-loaded");
    },
    true,
  );
  document.addEventListener(
    "error",
    function (event) {
      const box = boxOf(event);
      if (box) box.classList.add("img-failed");
    },
    true,
  );
})();
