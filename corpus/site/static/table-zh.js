/* normdocs: Chinese words for the column menu that Datasette's table.js builds (it has no
   translation hook). Runs after table.js (both deferred, in order); touches only that menu. */
(function () {
  var words = {
    "dropdown-sort-asc": "升序排列",
    "dropdown-sort-desc": "降序排列",
    "dropdown-facet": "按此列分面",
    "dropdown-hide-column": "隐藏此列",
    "dropdown-show-all-columns": "显示全部列",
    "dropdown-not-blank": "只看此列不为空的行"
  };
  document.querySelectorAll(".dropdown-menu a").forEach(function (a) {
    for (var cls in words) {
      if (a.classList.contains(cls)) {
        a.textContent = words[cls];
      }
    }
  });
})();
