// On wide screens the filters sit open beside the search; on phones they stay folded above the results.
(function () {
  var filters = document.querySelector(".search-filters");
  if (filters && window.matchMedia("(min-width: 64rem)").matches) {
    filters.open = true;
  }
})();
