// A phone or a narrow window gets the leader's version of the command screen, which is made for it.
// Loaded in <head>, before the wall screen is drawn; the address comes from the tag's data-leader-url.
(function () {
  const url = document.currentScript && document.currentScript.dataset.leaderUrl;
  if (url && window.matchMedia("(max-width: 900px)").matches) window.location.replace(url);
})();
