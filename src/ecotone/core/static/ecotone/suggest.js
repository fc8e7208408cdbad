// Suggestions as you type: fills a box's <datalist> from its data-suggest-url (the site
// search's /api/v1/search/suggest, the apply form's solutions), answering {suggestions: [{title}]}.
document.querySelectorAll("input[data-suggest-url]").forEach(function (box) {
  if (!box.list) return;
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
});
