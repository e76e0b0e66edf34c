// The kommune list filters as you type; without this file the "Søk" button does the same on the server.
(function () {
  function fold(text) {
    return text.toLowerCase().replace(/æ/g, "ae").replace(/ø/g, "o").replace(/å/g, "a")
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  document.querySelectorAll("[data-kommune-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-kommune-search]");
    var items = picker.querySelectorAll("li[data-search]");
    function filter() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      items.forEach(function (item) {
        var text = fold(item.dataset.search);
        var ticked = item.querySelector("input").checked;
        item.hidden = !ticked && !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    }
    input.addEventListener("input", filter);
  });
})();
