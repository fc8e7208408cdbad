// Suggestions as you type: fills the search box's <datalist> from /api/v1/search/suggest.
(function () {
  var box = document.querySelector("input[data-suggest-url]");
  if (!box || !box.list) return;
  var timer = null;
  var latest = 0;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var asked = ++latest;
      var query = box.value.trim();
      if (query.length < 2) return;
      fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(query))
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) {
          if (asked !== latest) return; // an older answer arriving late
          box.list.replaceChildren.apply(box.list, body.suggestions.map(function (item) {
            var option = document.createElement("option");
            option.value = item.title;
            return option;
          }));
        })
        .catch(function () {});
    }, 150);
  });
})();
